using System.Globalization;
using OrleansNsq.Tools.Stat;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Stat;

/// <summary>nsq_stat against a real Silo process: NSQ's column layout, rates while a topic is published to, errors, Ctrl-C.</summary>
public sealed class NsqStatTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Nsq_stat_prints_header_and_rate_rows_for_a_topic_being_published_to()
    {
        var topic = await CreateAsync();
        using var publishing = new CancellationTokenSource();
        var publisher = PublishUntilAsync(topic, publishing.Token);

        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_stat", "--nsqd-http-address", Silo.HttpAddress,
            "--topic", topic, "--channel", "ch", "--interval", "500ms", "--count", "3");
        await publishing.CancelAsync();
        await publisher;

        AssertRows(tool, expectedRows: 3);
    }

    [Fact]
    public async Task Nsq_stat_with_lookupd_reads_the_producers_it_lists()
    {
        var topic = await CreateAsync();
        using var publishing = new CancellationTokenSource();
        var publisher = PublishUntilAsync(topic, publishing.Token);

        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_stat", "--lookupd-http-address", Silo.LookupdHttpAddress,
            "--topic", topic, "--channel", "ch", "--interval", "500ms", "--count", "2");
        await publishing.CancelAsync();
        await publisher;

        AssertRows(tool, expectedRows: 2);
    }

    [Fact]
    public async Task Nsq_stat_for_a_missing_channel_exits_1_with_nsq_stat_error()
    {
        var topic = await CreateAsync();
        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_stat", "--nsqd-http-address", Silo.HttpAddress,
            "--topic", topic, "--channel", "absent", "--count", "1");
        Assert.Equal(1, tool.ExitCode);
        Assert.Contains($"ERROR: failed to find channel(absent) in stats metadata for topic({topic})", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_stat_without_topic_exits_1_as_nsq_stat()
    {
        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_stat", "--nsqd-http-address", Silo.HttpAddress, "--channel", "ch");
        Assert.Equal(1, tool.ExitCode);
        Assert.Contains("--topic and --channel are required", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_stat_exits_0_on_ctrl_c()
    {
        var topic = await CreateAsync();
        using var tool = ToolProcess.Start("nsq_stat", "--nsqd-http-address", Silo.HttpAddress, "--topic", topic, "--channel", "ch", "--interval", "200ms");
        await BoundedWait.UntilAsync("nsq_stat polls", "the first row", RunTimeout,
            () => Task.FromResult((tool.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 3, tool.Stdout)));

        tool.Interrupt();

        await tool.WaitForExitAsync(RunTimeout);
        Assert.True(tool.ExitCode == 0, tool.Describe());
    }

    private static void AssertRows(ToolProcess tool, int expectedRows)
    {
        Assert.True(tool.ExitCode == 0, tool.Describe());
        var lines = tool.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.True(lines.Length == 2 + expectedRows, tool.Describe());
        Assert.Equal(NsqStat.Header1, lines[0]);
        Assert.Equal("ingress  egress |   total     mem    disk inflt   def |     req     t-o         msgs clients", lines[1]);
        var ingress = new List<long>();
        foreach (var row in lines[2..])
        {
            // %7d %7d | %7d %7d %7d %5d %5d | %7d %7d %12d %7d
            Assert.Matches(@"^ *\d+ +-?\d+ \| +\d+ +\d+ +\d+ +\d+ +\d+ \| +\d+ +\d+ +\d+ +\d+$", row);
            Assert.Equal(lines[1].Length, row.Length);
            ingress.Add(long.Parse(row[..7], CultureInfo.InvariantCulture));
        }
        Assert.True(ingress.Any(rate => rate > 0), tool.Describe());
    }

    private async Task<string> CreateAsync()
    {
        var topic = Unique("stat");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "ch");
        return topic;
    }

    /// <summary>POST /mpub of 50 messages every 20 ms until cancelled: the topic nsq_stat watches is being published to.</summary>
    private async Task PublishUntilAsync(string topic, CancellationToken cancellationToken)
    {
        var bodies = Enumerable.Range(0, 50).Select(i => $"m{i}").ToArray();
        while (!cancellationToken.IsCancellationRequested)
        {
            await Http.MpubAsync(topic, bodies);
            try
            {
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
