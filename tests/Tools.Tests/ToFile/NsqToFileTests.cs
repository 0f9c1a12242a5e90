using System.Text.RegularExpressions;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.ToFile;

/// <summary>
/// nsq_to_file as a process against a real Silo: exact lines per topic, rotation by size and by interval, gzip,
/// topic discovery through lookupd, Ctrl-C, and kill -9 then restart without losing a line it FIN'd.
/// </summary>
public sealed class NsqToFileTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private const string Channel = "nsq_to_file";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_message_is_one_line_in_the_file_of_its_topic()
    {
        var (first, second) = (Unique("file"), Unique("file"));
        using var files = new OutputFiles();
        var firstLines = Bodies("a", 120).Select((b, i) => $"{b} é {new string('x', i % 13)}").ToArray();
        var secondLines = Bodies("b", 30);
        await Http.MpubAsync(first, firstLines);
        await Http.MpubAsync(second, secondLines);

        using var tool = ToolProcess.Start("nsq_to_file", "--topic", first, "--topic", second, "--nsqd-tcp-address", Silo.TcpAddress,
            "--output-dir", files.Dir, "--sync-interval", "200ms");
        await AllFinishedAsync(first, firstLines.Length, tool);
        await AllFinishedAsync(second, secondLines.Length, tool);

        // FIN'd means synced: the lines are in the files before the tool stops
        Assert.Equal(firstLines.Order(StringComparer.Ordinal), files.LinesOf(first).Order(StringComparer.Ordinal));
        await InterruptAsync(tool);
        Assert.Equal(firstLines.Order(StringComparer.Ordinal), files.LinesOf(first).Order(StringComparer.Ordinal));
        Assert.Equal(secondLines.Order(StringComparer.Ordinal), files.LinesOf(second).Order(StringComparer.Ordinal));
        var name = Path.GetFileName(Assert.Single(files.FilesOf(first)));
        Assert.Matches(new Regex($@"^{first}\.[^.]+\.\d{{4}}-\d{{2}}-\d{{2}}_\d{{2}}\.log$"), name);
        Assert.Contains($"[{first}/{Channel}] opening", tool.Stderr);
    }

    [Fact]
    public async Task Rotation_by_size_spreads_the_messages_over_several_files_each_once()
    {
        var topic = Unique("size");
        using var files = new OutputFiles();
        var lines = Bodies("size", 300);
        await Http.MpubAsync(topic, lines);

        using var tool = ToolProcess.Start("nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--output-dir", files.Dir, "--rotate-size", "1000", "--sync-interval", "200ms");
        await AllFinishedAsync(topic, lines.Length, tool);
        await InterruptAsync(tool);

        var names = files.FilesOf(topic);
        Assert.True(names.Length >= 3, $"expected several files of about 1000 bytes for {lines.Length} lines{Environment.NewLine}{files.Describe()}");
        Assert.All(names, n => Assert.Matches(@"-\d{6}\.", Path.GetFileName(n)));
        Assert.Equal(lines.Order(StringComparer.Ordinal), files.LinesOf(topic).Order(StringComparer.Ordinal));
        Assert.Contains("rotating...", tool.Stderr);
    }

    [Fact]
    public async Task Rotation_by_interval_moves_finished_files_from_work_dir_to_output_dir_each_message_once()
    {
        var topic = Unique("interval");
        using var files = new OutputFiles();
        using var work = new OutputFiles();
        using var tool = ToolProcess.Start("nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--output-dir", files.Dir, "--work-dir", work.Dir, "--rotate-interval", "1s", "--sync-interval", "200ms", "--skip-empty-files");
        await SubscribedAsync(topic, tool);

        var waves = new[] { Bodies("w1", 40), Bodies("w2", 40), Bodies("w3", 40) };
        var published = 0;
        for (var wave = 0; wave < waves.Length; wave++)
        {
            await Http.MpubAsync(topic, waves[wave]);
            published += waves[wave].Length;
            await AllFinishedAsync(topic, published, tool);
            // the interval passes and the next tick closes the file and moves it to the output dir
            var moved = wave + 1;
            await BoundedWait.UntilAsync($"wave {wave + 1} rotated", $"{moved} file(s) in the output dir", RunTimeout,
                () => Task.FromResult((files.FilesOf(topic).Length >= moved, files.Describe())));
        }

        await InterruptAsync(tool);
        Assert.Empty(work.FilesOf(topic));
        var names = files.FilesOf(topic);
        Assert.True(names.Length >= 3, files.Describe());
        Assert.All(names, n => Assert.NotEmpty(OutputFiles.Lines(n)));
        Assert.Equal(waves.SelectMany(w => w).Order(StringComparer.Ordinal), files.LinesOf(topic).Order(StringComparer.Ordinal));
        Assert.Contains("moving finished file", tool.Stderr);
    }

    [Fact]
    public async Task Sighup_closes_the_file_and_moves_it_to_the_output_dir()
    {
        // without --skip-empty-files the next sync tick would open the next (empty) file at once, as NSQ does
        var topic = Unique("hup");
        using var files = new OutputFiles();
        using var work = new OutputFiles();
        var lines = Bodies("hup", 60);
        await Http.MpubAsync(topic, lines);
        using var tool = ToolProcess.Start("nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--output-dir", files.Dir, "--work-dir", work.Dir, "--sync-interval", "200ms", "--skip-empty-files");
        await AllFinishedAsync(topic, lines.Length, tool);
        Assert.Empty(files.FilesOf(topic));

        tool.Hangup();

        await BoundedWait.UntilAsync("SIGHUP", "the file moved to the output dir", RunTimeout,
            () => Task.FromResult((files.FilesOf(topic).Length == 1 && work.FilesOf(topic).Length == 0, files.Describe() + work.Describe())), tool.Describe);
        Assert.Equal(lines.Order(StringComparer.Ordinal), files.LinesOf(topic).Order(StringComparer.Ordinal));
        await InterruptAsync(tool);
    }

    [Fact]
    public async Task Gzip_output_reads_back_with_GZipStream()
    {
        var topic = Unique("gzip");
        using var files = new OutputFiles();
        var lines = Bodies("gz", 500);
        await Http.MpubAsync(topic, lines[..250]);

        using var tool = ToolProcess.Start("nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--output-dir", files.Dir, "--gzip", "--gzip-level", "9", "--sync-interval", "200ms");
        await AllFinishedAsync(topic, 250, tool);
        // a sync ends a gzip member; the next lines start another in the same file
        await Http.MpubAsync(topic, lines[250..]);
        await AllFinishedAsync(topic, lines.Length, tool);
        await InterruptAsync(tool);

        var file = Assert.Single(files.FilesOf(topic));
        Assert.Matches(new Regex($@"^{topic}\.[^.]+-000000\.\d{{4}}-\d{{2}}-\d{{2}}_\d{{2}}\.log\.gz$"), Path.GetFileName(file));
        Assert.Equal(lines.Order(StringComparer.Ordinal), files.LinesOf(topic).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Topic_pattern_picks_up_a_topic_created_after_start_via_lookupd()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (matching, other) = ($"pat-{id}", $"other-{id}");
        using var files = new OutputFiles();
        await Http.CreateTopicAsync(other);

        using var tool = ToolProcess.Start("nsq_to_file", "--topic-pattern", $"^pat-{id}$", "--lookupd-http-address", Silo.LookupdHttpAddress,
            "--topic-refresh", "300ms", "--output-dir", files.Dir, "--sync-interval", "200ms");
        await BoundedWait.UntilAsync("first topic refresh", $"'skipping topic {other}'", RunTimeout,
            () => Task.FromResult((tool.Stderr.Contains($"skipping topic {other}", StringComparison.Ordinal), tool.Describe())));

        var lines = Bodies("pat", 50);
        await Http.MpubAsync(matching, lines);
        await Http.MpubAsync(other, Bodies("other", 5));
        await AllFinishedAsync(matching, lines.Length, tool);
        await InterruptAsync(tool);

        Assert.Equal(lines.Order(StringComparer.Ordinal), files.LinesOf(matching).Order(StringComparer.Ordinal));
        Assert.Empty(files.FilesOf(other));
        Assert.Null((await Http.StatsAsync(other)).Channel(other, Channel));
    }

    [Fact]
    public async Task Ctrl_c_syncs_finishes_every_line_in_flight_and_exits_0()
    {
        var topic = Unique("ctrlc");
        using var files = new OutputFiles();
        var lines = Bodies("c", 100);
        await Http.MpubAsync(topic, lines);

        // 100 of 200 in flight never starve the RDY and the 30 s sync tick is far away: nothing is FIN'd yet
        using var tool = ToolProcess.Start("nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--output-dir", files.Dir);
        await BoundedWait.UntilAsync("all delivered, none finished", $"in_flight_count {lines.Length}", RunTimeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            return (stats.ChannelCounter(topic, Channel, "in_flight_count") == lines.Length, stats.Describe(topic, Channel));
        }, tool.Describe);

        await InterruptAsync(tool);

        Assert.Equal(lines.Order(StringComparer.Ordinal), files.LinesOf(topic).Order(StringComparer.Ordinal));
        var after = await Http.StatsAsync(topic);
        Assert.True(after.ChannelCounter(topic, Channel, "depth") == 0 && after.ChannelCounter(topic, Channel, "in_flight_count") == 0,
            after.Describe(topic, Channel));
        Assert.Contains("syncing 100 records to disk", tool.Stderr);
        Assert.Contains("exiting", tool.Stderr);
    }

    [Fact]
    public async Task Kill_9_mid_stream_then_restart_loses_no_finished_line_and_misses_no_message()
    {
        var topic = Unique("kill");
        using var files = new OutputFiles();
        string[] Args() =>
        [
            "nsq_to_file", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--output-dir", files.Dir,
            "--max-in-flight", "5", "--sync-interval", "500ms", "--consumer-opt", "msg_timeout,2s",
        ];
        var before = Bodies("before", 100);
        var during = Bodies("during", 3000);
        await Http.MpubAsync(topic, before);

        using var first = ToolProcess.Start(Args());
        await AllFinishedAsync(topic, before.Length, first);
        await Http.MpubAsync(topic, during);
        await BoundedWait.UntilAsync("streaming", "300 lines written", RunTimeout,
            () => Task.FromResult((files.LinesOf(topic).Count >= 300, files.Describe())), first.Describe);

        first.KillHard();

        var stats = await Http.StatsAsync(topic);
        long Counter(string name) => stats.ChannelCounter(topic, Channel, name) ?? -1;
        var finished = Counter("message_count") - Counter("depth") - Counter("in_flight_count") - Counter("deferred_count");
        var atKill = files.LinesOf(topic);
        Assert.True(Counter("depth") + Counter("in_flight_count") > 0, $"killed after the stream ended: {stats.Describe(topic, Channel)}");
        // every line FIN'd before the kill was synced first: all of 'before' once, and at least as many distinct lines as FINs
        Assert.Equal(before, atKill.Where(l => l.StartsWith("before", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.True(atKill.Distinct().Count() >= finished, $"{atKill.Distinct().Count()} distinct lines in the files, {finished} FIN'd; {stats.Describe(topic, Channel)}");

        using var second = ToolProcess.Start(Args());
        await AllFinishedAsync(topic, before.Length + during.Length, second);
        await InterruptAsync(second);

        var lines = files.LinesOf(topic);
        var published = before.Concat(during).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(published.Except(lines));
        Assert.All(lines, l => Assert.Contains(l, published));
        Assert.Equal(before, lines.Where(l => l.StartsWith("before", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Output.WriteLine($"{lines.Count} lines for {published.Count} messages ({lines.Count - published.Count} written again after the kill), {finished} FIN'd before it");
    }

    [Theory]
    [InlineData("--rotate-size", "10", "missing <REV> in --filename-format when gzip, rotation, or work dir enabled")]
    [InlineData("--gzip-level", "0", "invalid --gzip-level value (0), should be 1-9")]
    [InlineData("--lookupd-http-address", "127.0.0.1:1", "use --nsqd-tcp-address or --lookupd-http-address not both")]
    public async Task Invalid_flags_exit_1_with_nsq_message(string flag, string value, string message)
    {
        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_to_file", "--topic", "t", "--nsqd-tcp-address", Silo.TcpAddress,
            "--filename-format", "<TOPIC>.log", flag, value);
        Assert.True(tool.ExitCode == 1, tool.Describe());
        Assert.Contains(message, tool.Stderr);
    }

    [Fact]
    public async Task Unreachable_nsqd_exits_1()
    {
        var closedPort = FreePorts.Take(1)[0];
        using var files = new OutputFiles();
        using var tool = await ToolProcess.RunAsync(RunTimeout, "nsq_to_file", "--topic", Unique("gone"), "--nsqd-tcp-address", $"127.0.0.1:{closedPort}",
            "--output-dir", files.Dir);
        Assert.True(tool.ExitCode == 1, tool.Describe());
        Assert.Contains("couldn't create logger for new topic", tool.Stderr);
    }

    private static string[] Bodies(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D5}").ToArray();

    private Task SubscribedAsync(string topic, ToolProcess tool) =>
        BoundedWait.UntilAsync("nsq_to_file subscribes", $"a client on {topic}/{Channel}", RunTimeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            return ((stats.ChannelCounter(topic, Channel, "client_count") ?? 0) > 0, stats.Describe(topic, Channel));
        }, tool.Describe);

    /// <summary>Every one of <paramref name="count"/> messages was FIN'd: nothing left in the channel or in flight.</summary>
    private Task AllFinishedAsync(string topic, int count, ToolProcess tool) =>
        BoundedWait.UntilAsync($"{topic}: all finished", $"message_count {count}, depth 0, in flight 0", RunTimeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            var done = stats.ChannelCounter(topic, Channel, "message_count") >= count
                && stats.ChannelCounter(topic, Channel, "depth") == 0
                && stats.ChannelCounter(topic, Channel, "in_flight_count") == 0
                && stats.ChannelCounter(topic, Channel, "deferred_count") == 0;
            return (done, stats.Describe(topic, Channel));
        }, tool.Describe);

    private static async Task InterruptAsync(ToolProcess tool)
    {
        tool.Interrupt();
        await tool.WaitForExitAsync(RunTimeout);
        Assert.True(tool.ExitCode == 0, tool.Describe());
    }
}
