using System.Text;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Tail;

/// <summary>to_nsq and nsq_tail as processes against a real Silo: a round trip of exact lines, a custom delimiter,
/// an ephemeral channel with -n and --rate, Ctrl-C, flag errors.</summary>
public sealed class ToNsqTailTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task To_nsq_lines_come_out_of_nsq_tail_exactly()
    {
        var topic = Unique("tail");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "tail");
        var lines = Enumerable.Range(0, 200).Select(i => $"line {i} é {new string('x', i % 17)}").ToArray();

        using var publish = await ToolProcess.RunAsync(RunTimeout, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"),
            "to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress);
        Assert.True(publish.ExitCode == 0, publish.Describe());
        Assert.Contains($"published 200 messages to topic({topic})", publish.Stderr);

        using var tail = await ToolProcess.RunAsync(RunTimeout, "nsq_tail", "--topic", topic, "--channel", "tail",
            "--nsqd-tcp-address", Silo.TcpAddress, "-n", "200");
        Assert.True(tail.ExitCode == 0, tail.Describe());
        var received = tail.Stdout.Split('\n')[..^1];
        Assert.Equal(lines.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task To_nsq_splits_on_a_custom_delimiter_and_nsq_tail_prints_the_topic()
    {
        var topic = Unique("tail");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "tail");

        using var publish = await ToolProcess.RunAsync(RunTimeout, "one,two,,three\nfour"u8.ToArray(),
            "to_nsq", "--topic", topic, "--delimiter", ",", "--nsqd-tcp-address", Silo.TcpAddress);
        Assert.True(publish.ExitCode == 0, publish.Describe());

        using var tail = await ToolProcess.RunAsync(RunTimeout, "nsq_tail", "--topic", topic, "--channel", "tail",
            "--nsqd-tcp-address", Silo.TcpAddress, "--n", "3", "--print-topic");
        Assert.True(tail.ExitCode == 0, tail.Describe());
        Assert.Equal(
            new[] { $"{topic} | one", $"{topic} | three\nfour", $"{topic} | two" },
            tail.Stdout.Split($"{topic} | ").Skip(1).Select(m => $"{topic} | {m.TrimEnd('\n')}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nsq_tail_on_its_ephemeral_channel_via_lookupd_exits_after_n_messages()
    {
        var topic = Unique("tail");
        await Http.CreateTopicAsync(topic);
        using var tail = ToolProcess.Start("nsq_tail", "--topic", topic, "--lookupd-http-address", Silo.LookupdHttpAddress, "-n", "5");
        await BoundedWait.UntilAsync("nsq_tail subscribes", "an ephemeral channel with a client", RunTimeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            var channels = stats.Topic(topic) is { } t && t.TryGetProperty("channels", out var c) ? c.EnumerateArray().ToArray() : [];
            var subscribed = channels.Any(ch => ch.GetProperty("channel_name").GetString()!.StartsWith("tail", StringComparison.Ordinal)
                && ch.GetProperty("channel_name").GetString()!.EndsWith("#ephemeral", StringComparison.Ordinal)
                && ch.GetProperty("clients").GetArrayLength() > 0);
            return (subscribed, stats.Root.GetRawText() + tail.Describe());
        });

        using var publish = await ToolProcess.RunAsync(RunTimeout, "a\nb\nc\nd\ne\nf\ng\n"u8.ToArray(),
            "to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--rate", "20");
        Assert.True(publish.ExitCode == 0, publish.Describe());
        Assert.Contains("published 7 messages", publish.Stderr);

        await tail.WaitForExitAsync(RunTimeout);
        Assert.True(tail.ExitCode == 0, tail.Describe());
        Assert.Equal(5, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Nsq_tail_exits_0_on_ctrl_c()
    {
        var topic = Unique("tail");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "tail");
        using var tail = ToolProcess.Start("nsq_tail", "--topic", topic, "--channel", "tail", "--nsqd-tcp-address", Silo.TcpAddress);
        await BoundedWait.UntilAsync("nsq_tail subscribes", "a client on the channel", RunTimeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            var clients = stats.Channel(topic, "tail") is { } c ? c.GetProperty("clients").GetArrayLength() : 0;
            return (clients > 0, tail.Describe());
        });

        tail.Interrupt();

        await tail.WaitForExitAsync(RunTimeout);
        Assert.True(tail.ExitCode == 0, tail.Describe());
    }

    [Fact]
    public async Task To_nsq_without_topic_exits_1()
    {
        using var publish = await ToolProcess.RunAsync(RunTimeout, "x\n"u8.ToArray(), "to_nsq", "--nsqd-tcp-address", Silo.TcpAddress);
        Assert.Equal(1, publish.ExitCode);
        Assert.Contains("--topic required", publish.Stderr);
    }

    [Fact]
    public async Task To_nsq_to_an_unreachable_nsqd_exits_1_with_the_error()
    {
        var closedPort = FreePorts.Take(1)[0];
        using var publish = await ToolProcess.RunAsync(RunTimeout, "x\ny\n"u8.ToArray(),
            "to_nsq", "--topic", Unique("tail"), "--nsqd-tcp-address", $"127.0.0.1:{closedPort}");
        Assert.True(publish.ExitCode == 1, publish.Describe());
        Assert.Contains("ERROR:", publish.Stderr);
    }

    [Fact]
    public async Task Nsq_tail_to_an_unreachable_nsqd_exits_1()
    {
        var closedPort = FreePorts.Take(1)[0];
        using var tail = await ToolProcess.RunAsync(RunTimeout, "nsq_tail", "--topic", Unique("tail"), "--nsqd-tcp-address", $"127.0.0.1:{closedPort}");
        Assert.True(tail.ExitCode == 1, tail.Describe());
        Assert.Contains("ERROR:", tail.Stderr);
    }
}
