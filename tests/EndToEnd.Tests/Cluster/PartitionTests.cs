using System.Net;
using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// A silo cut off from the other silos of its cluster while it still reaches PostgreSQL and its clients (issue 17). The
/// partition is real: every silo-to-silo connection passes a proxy in the test process (<see cref="SiloLinks"/>), which
/// drops the cut silo's traffic both ways without closing anything. The silos keep the product's own membership timings:
/// the test measures them, and prints the timeline of the cut (the docs quote it).
/// </summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    /// <summary>"Silo 2" of three.</summary>
    private const int Isolated = 1;

    /// <summary>--publish-timeout's default, 5 s, and 2 s for a loaded machine.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(7);

    /// <summary>How soon after the cut the cut silo must have left the others' lookupd and exited.</summary>
    private static readonly TimeSpan DeathBound = TimeSpan.FromSeconds(20);

    /// <summary>How long the test watches for that before it gives up (and kills the silo to go on): past
    /// <see cref="DeathBound"/>, so a slow death is measured, not only failed.</summary>
    private static readonly TimeSpan WatchWindow = TimeSpan.FromSeconds(40);

    [PostgresFact]
    public async Task A_silo_cut_from_the_others_answers_every_publish_in_time_leaves_lookupd_and_exits_within_20_s_and_rejoins_when_restarted_losing_nothing_acknowledged()
    {
        await using var postgres = await PostgresInstance.StartAsync();
        // --msg-timeout 5s: messages in flight to a consumer of the dead silo are delivered again in seconds, not a minute.
        await using var cluster = new SiloCluster(postgres.ConnectionString, ["--mem-queue-size", "0", "--msg-timeout", "5s"])
        {
            ProductMembership = true,
        };
        await using var links = new SiloLinks(cluster);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var timeline = new Timeline();
        var failures = new List<string>();
        try
        {
            for (var i = 0; i < 3; i++) await links.AddSiloAsync();
            await cluster.WaitForProducersAsync(3, TimeSpan.FromSeconds(60));
            var topic = $"partition-{Guid.NewGuid():N}"[..24];
            using (var http = new NsqdHttp(cluster.Silos[0]))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
            }

            await using var fleet = new FleetTraffic(cluster, topic, "c", timeline);
            fleet.Start();
            await BoundedWait.UntilAsync("publishing before the cut", "50 PUBs answered OK by every silo, and some received",
                TimeSpan.FromSeconds(60), () => Task.FromResult((fleet.WarmedUp(50), fleet.Describe())));
            output.WriteLine($"before the cut:{Environment.NewLine}{fleet.Describe()}");

            await CutAndWatchAsync(cluster, links, fleet, probe, timeline, failures);
            await RestartAndRejoinAsync(cluster, links, fleet, topic, timeline, failures);
            await ConsumeEveryAcknowledgedAsync(fleet, failures);

            // Every PUB got an answer in time; no silo but the cut one exited.
            output.WriteLine(fleet.Describe());
            for (var s = 0; s < cluster.Silos.Count; s++)
            {
                var answers = fleet.Answers[s];
                if (answers.MaxLatency > AnswerBound || answers.Unanswered > 0)
                    failures.Add($"silo {s + 1}: a PUB waited {answers.MaxLatency.TotalSeconds:0.000} s for its answer (bound "
                                 + $"{AnswerBound.TotalSeconds:0} s): {answers.Describe()}");
            }
            foreach (var other in Others().Where(o => cluster.Silos[o].HasExited))
                failures.Add($"silo {other + 1}, which was not cut, exited: {cluster.Silos[other].DescribeExit()}");
        }
        finally
        {
            output.WriteLine(timeline.Describe(Awaited));
            for (var s = 0; s < cluster.Silos.Count; s++)
                output.WriteLine($"--- silo {s + 1} (tcp {cluster.Silos[s].TcpPort}) ---{Environment.NewLine}{cluster.Silos[s].OutputSince(0)}");
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Prepend(timeline.Describe(Awaited))));
    }

    /// <summary>The events of the cut silo the timeline reports, as "never" when they did not happen.</summary>
    private static readonly string[] Awaited =
    [
        $"silo {Isolated + 1}: first PUB answered E_PUB_FAILED",
        $"silo {Isolated + 1} /ping first answered other than 200 OK",
        .. Others().Select(o => $"silo {Isolated + 1} left /nodes of silo {o + 1}"),
        $"silo {Isolated + 1} exited",
    ];

    /// <summary>Cuts the silo and watches, within <see cref="WatchWindow"/>, for it to leave the others' lookupd and to
    /// exit, and for its /ping to answer other than OK; a silo still running after that is killed, to go on.</summary>
    private async Task CutAndWatchAsync(SiloCluster cluster, SiloLinks links, FleetTraffic fleet, HttpClient probe, Timeline timeline,
        List<string> failures)
    {
        var isolated = cluster.Silos[Isolated];
        links.Cut(Isolated);
        timeline.MarkCut();
        output.WriteLine($"cut silo {Isolated + 1} (process {isolated.ProcessId}):{Environment.NewLine}{links.Describe()}");
        using var stopPinging = new CancellationTokenSource();
        var pings = cluster.Silos.Select((s, i) => WatchPingAsync(probe, s, i, timeline, stopPinging.Token)).ToArray();
        await Task.WhenAll(Others().Select(o => WatchLeftAsync(probe, cluster.Silos[o], o, isolated, timeline))
            .Append(WatchExitAsync(isolated, Isolated, timeline)));
        await stopPinging.CancelAsync();
        await Task.WhenAll(pings);
        timeline.Mark($"silo {Isolated + 1}: last PUB answered OK after the cut", fleet.Answers[Isolated].LastOkFromCut is { } lastOk
            ? $"{lastOk.TotalSeconds:+0.000} s" : "none");
        output.WriteLine(links.Describe());

        foreach (var observer in Others())
            CheckWithinDeathBound(timeline, $"silo {Isolated + 1} left /nodes of silo {observer + 1}", failures);
        CheckWithinDeathBound(timeline, $"silo {Isolated + 1} exited", failures);
        // Before it stops, the cut silo tells load balancers to take it out: nsqd's unhealthy /ping.
        var ping = $"silo {Isolated + 1} /ping first answered other than 200 OK";
        var answer = timeline.DetailOf(ping);
        if (answer is null || !answer.StartsWith("500 NOK - ", StringComparison.Ordinal)
            || timeline.SinceCut(ping) > timeline.SinceCut($"silo {Isolated + 1} exited"))
            failures.Add($"{ping}: expected 500 NOK - … before it exited, got {answer ?? "never"}");
        if (!isolated.HasExited)
        {
            await isolated.KillAsync();
            timeline.Mark($"silo {Isolated + 1} killed by the test (it had not exited)");
        }
    }

    /// <summary>Restarts the cut silo with the same flags and ports (a new process, which the proxies let through) and
    /// checks that it joins again: in every lookupd, a PUB answered OK, a message delivered to a consumer on it.</summary>
    private static async Task RestartAndRejoinAsync(SiloCluster cluster, SiloLinks links, FleetTraffic fleet, string topic,
        Timeline timeline, List<string> failures)
    {
        var isolated = cluster.Silos[Isolated];
        var name = $"silo {Isolated + 1}";
        links.Heal(Isolated);
        await isolated.RestartAsync();
        timeline.Mark($"{name} restarted: /ping answers 200 OK", $"process {isolated.ProcessId}");
        if (await RecordAsync(failures, cluster.WaitForProducersAsync(3, TimeSpan.FromSeconds(60))))
            timeline.Mark($"{name} is in every silo's /nodes again");
        if (await RecordAsync(failures, PublishOkAsync(isolated, topic, fleet)))
            timeline.Mark($"{name} answered a PUB OK after its restart");
        var before = fleet.ReceivedVia(Isolated);
        fleet.AddConsumer(Isolated);
        if (await RecordAsync(failures, BoundedWait.UntilAsync($"a consumer on the restarted {name}", "a message", TimeSpan.FromSeconds(30),
                () => Task.FromResult((fleet.ReceivedVia(Isolated) > before, $"{fleet.ReceivedVia(Isolated) - before} received")))))
            timeline.Mark($"{name} delivered a message to a consumer after its restart");
    }

    /// <summary>Stops the publishers and consumes until every acknowledged body was received at least once.</summary>
    private async Task ConsumeEveryAcknowledgedAsync(FleetTraffic fleet, List<string> failures)
    {
        await fleet.StopPublishingAsync();
        await RecordAsync(failures, BoundedWait.UntilAsync("consuming every acknowledged message", "no acknowledged body missing",
            TimeSpan.FromSeconds(60), () =>
            {
                var missing = fleet.Acknowledged.Keys.Count(body => !fleet.Received.ContainsKey(body));
                return Task.FromResult((missing == 0, $"{missing} of {fleet.Acknowledged.Count} acknowledged bodies not received yet"));
            }));
        await fleet.StopConsumingAsync();
        var lost = fleet.Acknowledged.Keys.Where(body => !fleet.Received.ContainsKey(body)).Order().ToArray();
        var duplicates = fleet.Received.Values.Sum() - fleet.Received.Count;
        var some = lost.Length > 0 ? ": " + string.Join(",", lost.Take(20)) : "";
        output.WriteLine($"{fleet.Acknowledged.Count} acknowledged, {fleet.Received.Count} distinct received, {duplicates} duplicates, "
                         + $"{lost.Length} acknowledged lost{some}");
        if (lost.Length > 0) failures.Add($"{lost.Length} acknowledged bodies were never received{some}");
    }

    private static IEnumerable<int> Others() => Enumerable.Range(0, 3).Where(i => i != Isolated);

    private static void CheckWithinDeathBound(Timeline timeline, string what, List<string> failures)
    {
        if (timeline.SinceCut(what) is not { } at)
            failures.Add($"{what}: not within {WatchWindow.TotalSeconds:0} s of the cut");
        else if (at > DeathBound)
            failures.Add($"{what}: {at.TotalSeconds:0.000} s after the cut, later than {DeathBound.TotalSeconds:0} s");
    }

    /// <summary>Awaits a bounded phase; a phase that ran out of time is recorded (false) and the test goes on, so one
    /// run reports every step.</summary>
    private static async Task<bool> RecordAsync(List<string> failures, Task phase)
    {
        try
        {
            await phase;
            return true;
        }
        catch (TimeoutException e)
        {
            failures.Add(e.Message);
            return false;
        }
    }

    private static async Task WatchExitAsync(SiloProcess silo, int index, Timeline timeline)
    {
        if (await silo.WaitForExitAsync(WatchWindow)) timeline.Mark($"silo {index + 1} exited", silo.DescribeExit());
    }

    /// <summary>Watches <paramref name="observer"/>'s lookupd /nodes until <paramref name="left"/> is not listed, within
    /// the window (a silo still listed then is reported by the caller, not thrown here).</summary>
    private static async Task WatchLeftAsync(HttpClient http, SiloProcess observer, int index, SiloProcess left, Timeline timeline)
    {
        var what = $"silo {Isolated + 1} left /nodes of silo {index + 1}";
        try
        {
            await BoundedWait.UntilAsync(what, "the cut silo not listed", WatchWindow, async () =>
            {
                try
                {
                    using var nodes = JsonDocument.Parse(await http.GetStringAsync($"http://{observer.LookupdHttpAddress}/nodes"));
                    var ports = nodes.RootElement.GetProperty("producers").EnumerateArray().Select(p => p.GetProperty("tcp_port").GetInt32()).ToArray();
                    var gone = !ports.Contains(left.TcpPort);
                    if (gone) timeline.Mark(what, $"[{string.Join(",", ports)}]");
                    return (gone, $"[{string.Join(",", ports)}]");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    timeline.Mark($"silo {index + 1} /nodes first failed", e.Message);
                    return (false, e.Message);
                }
            });
        }
        catch (TimeoutException)
        {
            // not within the window: CheckWithinDeathBound reports it
        }
    }

    /// <summary>Watches GET /ping while the silo's process lives, recording its first answer other than 200 "OK", and its
    /// first failure without an answer.</summary>
    private static async Task WatchPingAsync(HttpClient http, SiloProcess silo, int index, Timeline timeline, CancellationToken stop)
    {
        try
        {
            await BoundedWait.UntilAsync($"silo {index + 1} /ping", "the watch to end", WatchWindow + WatchWindow, async () =>
            {
                if (stop.IsCancellationRequested || silo.HasExited) return (true, "done");
                try
                {
                    using var response = await http.GetAsync($"http://{silo.HttpAddress}/ping", stop);
                    var body = await response.Content.ReadAsStringAsync(stop);
                    if (response.StatusCode != HttpStatusCode.OK || body != "OK")
                        timeline.Mark($"silo {index + 1} /ping first answered other than 200 OK", $"{(int)response.StatusCode} {body}");
                }
                catch (TaskCanceledException) when (!stop.IsCancellationRequested)
                {
                    timeline.Mark($"silo {index + 1} /ping first unanswered within {http.Timeout.TotalSeconds:0} s");
                }
                catch (OperationCanceledException)
                {
                    return (true, "stopped");
                }
                catch (HttpRequestException e)
                {
                    timeline.Mark($"silo {index + 1} /ping first failed", e.Message);
                }
                return (false, "watching");
            });
        }
        catch (TimeoutException)
        {
            // the watch outlived both windows: nothing more to record
        }
    }

    /// <summary>PUBs, each on a connection of its own, until one is answered OK (within 30 s); it counts as acknowledged.</summary>
    private static Task PublishOkAsync(SiloProcess silo, string topic, FleetTraffic fleet)
    {
        var attempt = 0;
        return BoundedWait.UntilAsync("PUB on the restarted silo", "OK", TimeSpan.FromSeconds(30), async () =>
        {
            var body = $"rejoined-{attempt++}";
            try
            {
                await using var client = await V2Client.ConnectAsync(silo.TcpPort);
                await client.Pub(topic, body);
                var frame = await client.ReadFrameAsync($"PUB {body}", TimeSpan.FromSeconds(10));
                while (frame is { IsHeartbeat: true }) frame = await client.ReadFrameAsync($"PUB {body}", TimeSpan.FromSeconds(10));
                if (frame is { Type: FrameType.Response, Text: "OK" }) fleet.Acknowledged[body] = true;
                return (frame is { Type: FrameType.Response, Text: "OK" }, frame?.ToString() ?? "closed");
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException or InvalidDataException)
            {
                return (false, e.Message);
            }
        });
    }
}
