using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.GrainApi;

/// <summary>The sample's command line, without a cluster: --help and bad flags.</summary>
public sealed class GrainServiceCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Help_prints_every_flag_and_exits_0()
    {
        await using var sample = GrainServiceProcess.Start("--help");

        var (exitCode, stdout, _) = await sample.CompleteWithoutSummaryAsync("--help", Timeout);

        Assert.Equal(0, exitCode);
        foreach (var flag in new[] { "--gateway-port", "--cluster", "--cluster-connection", "--topic", "--publish", "--batch", "--channel", "--expect", "--max-in-flight", "--msg-timeout-ms", "--print-bodies" })
            Assert.Contains(flag, stdout);
    }

    [Theory]
    [InlineData("--publish 10", "--topic is required")]
    [InlineData("--topic t", "nothing to do: give --publish N and/or --channel C")]
    [InlineData("--topic t --publish x", "--publish must be an integer from 0 to 2147483647, not 'x'")]
    [InlineData("--topic t --publish 1 --cluster postgres", "--cluster-connection is required with --cluster postgres")]
    [InlineData("--topic t --publish 1 --cluster redis", "--cluster must be postgres (or absent for a single-node Silo on localhost)")]
    [InlineData("--topic t --publish 1 --bogus 1", "unknown flag --bogus")]
    public async Task A_bad_command_line_exits_2_with_the_reason(string args, string reason)
    {
        await using var sample = GrainServiceProcess.Start(args.Split(' '));

        var (exitCode, _, stderr) = await sample.CompleteWithoutSummaryAsync(args, Timeout);

        Assert.Equal(2, exitCode);
        Assert.Equal(reason, stderr.Split('\n')[0].TrimEnd());
    }
}
