using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// The Silo process against a PostgreSQL that is not there (docs/STORAGE.md "Faults"): at start it exits with one line
/// naming the server, in cluster mode too; mid-run, with <c>--mem-queue-size=0</c>, publishes are refused while the
/// server is down (E_PUB_FAILED over TCP, a 5xx with a reason over HTTP), never answered OK, and taken again once the
/// server is back; every message that got OK is consumed. The mid-run test stops and restarts a server of its own
/// (<see cref="PostgresInstance"/>), never the run's shared one.
/// </summary>
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Orleans' grain call timeout (30 s) and some slack for a loaded machine.</summary>
    private static readonly TimeSpan FrozenAnswerTimeout = TimeSpan.FromSeconds(45);

    /// <summary>--publish-timeout's default (5 s) and slack for a loaded 2-core machine: every publish is answered
    /// within it, whatever is broken behind the gateway.</summary>
    private static readonly TimeSpan PublishAnswerBound = TimeSpan.FromSeconds(5 + 3);

    [PostgresFact]
    public async Task A_cluster_silo_against_a_refused_connection_exits_with_code_1_and_one_line_naming_the_server()
    {
        var port = ClosedPort();
        var connection = PostgresTestServer.With(b => { b.Host = "127.0.0.1"; b.Port = port; });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<SiloExitedException>(() =>
            SiloProcess.StartAsync("--cluster", "postgres", "--cluster-connection", connection, "--advertised-ip", "127.0.0.1"));

        output.WriteLine(error.Output);
        Assert.Contains("exited with code 1", error.Message);
        var lines = ErrorLines(error.Output).ToArray();
        var line = Assert.Single(lines);
        Assert.Matches($"^postgres store 127.0.0.1:{port}/[^:]+: Connection refused$", line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"the start took {clock.Elapsed} to give up");
    }

    [PostgresFact]
    public async Task Publishes_are_refused_while_postgres_is_down_and_taken_again_once_it_is_back_and_nothing_acknowledged_is_lost()
    {
        if (PostgresInstance.FindBin() is null)
        {
            Assert.Fail("no initdb/pg_ctl: this test starts and stops a PostgreSQL server of its own");
        }
        await using var postgres = await PostgresInstance.StartAsync();
        var topic = $"outage-{Guid.NewGuid():N}"[..24];
        await using var silo = await SiloProcess.StartAsync(
            "--storage", "postgres", "--storage-connection", postgres.ConnectionString, "--mem-queue-size", "0");
        var acknowledged = new HashSet<string>();
        try
        {
            using var http = new NsqdHttp(silo);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
            for (var i = 0; i < 5; i++) await PubAsync(silo, topic, $"before-{i}", acknowledged, mustBeOk: true);
            await http.PubAsync(topic, "before-http");
            acknowledged.Add("before-http");

            await postgres.StopServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres stopped");

            // Down: every publish is refused, promptly; none is answered OK.
            for (var i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                var frame = await PubAsync(silo, topic, $"down-tcp-{i}", acknowledged, mustBeOk: false);
                Assert.True(frame is { Type: FrameType.Error } && frame.Text.StartsWith("E_PUB_FAILED ", StringComparison.Ordinal),
                    $"PUB {i} while postgres is down: expected E_PUB_FAILED, got {frame}");
                Assert.True(clock.Elapsed < PublishAnswerBound, $"PUB {i} while down took {clock.Elapsed}");
            }
            var (status, body) = await PostAsync(silo, $"/pub?topic={topic}", "down-http");
            Assert.True((int)status >= 500 && body.Contains("INTERNAL_ERROR", StringComparison.Ordinal),
                $"HTTP /pub while postgres is down: expected a 5xx with a reason, got {(int)status} {body}");

            await postgres.StartServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres started again");

            // Back: publishes succeed again within a bound.
            await PublishUntilOkAsync(silo, topic, "retry-", acknowledged, "publishing after postgres came back");
            for (var i = 0; i < 5; i++) await PubAsync(silo, topic, $"after-{i}", acknowledged, mustBeOk: true);
            await http.PubAsync(topic, "after-http");
            acknowledged.Add("after-http");

            // Every OK is consumed. Refused publishes may be delivered too (the log retries their writes, and NSQ
            // allows a publisher's retry to duplicate), but none that got OK may be missing.
            var received = new HashSet<string>();
            await using var consumer = await SubscribeAsync(silo, topic);
            await ConsumeAllAsync(consumer, acknowledged, received, "consuming");
            Assert.Empty(acknowledged.Except(received));
            Assert.False(silo.HasExited, "the silo exited during the outage");
        }
        finally
        {
            output.WriteLine(silo.OutputSince(0));
        }
    }

    [PostgresFact]
    public async Task A_crashed_postgres_keeps_publishes_refused_through_retries_with_a_consumer_attached_and_the_node_serves_fully_after_it()
    {
        await using var postgres = await PostgresInstance.StartAsync();
        var topic = $"crash-{Guid.NewGuid():N}"[..24];
        var newTopic = $"late-{Guid.NewGuid():N}"[..24];
        await using var silo = await SiloProcess.StartAsync(
            "--storage", "postgres", "--storage-connection", postgres.ConnectionString, "--mem-queue-size", "0");
        var acknowledged = new HashSet<string>();
        var received = new HashSet<string>();
        try
        {
            using var http = new NsqdHttp(silo);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
            await using var consumer = await SubscribeAsync(silo, topic);
            for (var i = 0; i < 10; i++) await PubAsync(silo, topic, $"before-{i}", acknowledged, mustBeOk: true);
            // Half are consumed and finished before the crash; their FINs' cursor write may fail and be retried.
            for (var i = 0; i < 5; i++)
            {
                var message = await consumer.ExpectMessageAsync($"consuming before the crash ({i})");
                received.Add(message.BodyText);
                await consumer.Fin(message.Id);
            }

            await postgres.StopServerAsync(immediate: true);
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres crashed");

            // Down for several of the log's retry rounds (500 ms each): publishes stay refused, each promptly, to the
            // known topic and to one whose grain has never been stored; grain state writes answer 5xx.
            var outage = Stopwatch.StartNew();
            var attempts = 0;
            while (outage.Elapsed < TimeSpan.FromSeconds(3))
            {
                var clock = Stopwatch.StartNew();
                var frame = await PubAsync(silo, topic, $"down-{attempts}", acknowledged, mustBeOk: false);
                Assert.True(frame is { Type: FrameType.Error } && frame.Text.StartsWith("E_PUB_FAILED ", StringComparison.Ordinal),
                    $"PUB {attempts} {outage.Elapsed} into the outage: expected E_PUB_FAILED, got {frame}");
                Assert.True(clock.Elapsed < PublishAnswerBound, $"PUB {attempts} while down took {clock.Elapsed}");
                attempts++;
                await Task.Delay(200); // pacing the probes over the outage, not waiting for a result
            }
            var late = await PubAsync(silo, newTopic, "late-down", acknowledged, mustBeOk: false);
            Assert.True(late is { Type: FrameType.Error }, $"PUB to a new topic while down: expected an error, got {late?.ToString() ?? "a close"}");
            var (status, body) = await PostAsync(silo, $"/channel/create?topic={topic}&channel=c2", "");
            Assert.True((int)status >= 500, $"channel create while down: expected a 5xx, got {(int)status} {body}");

            await postgres.StartServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres started again after {attempts} refused publishes");

            await PublishUntilOkAsync(silo, topic, "retry-", acknowledged, "publishing after postgres came back");
            // Grain state and a topic never stored before work at once, not after some failures of stale connections.
            await http.CreateChannelAsync(topic, "c2");
            await PubAsync(silo, newTopic, "late-up", acknowledged, mustBeOk: true);
            for (var i = 0; i < 5; i++) await PubAsync(silo, topic, $"after-{i}", acknowledged, mustBeOk: true);

            var wanted = acknowledged.Where(b => !b.StartsWith("late-", StringComparison.Ordinal)).ToHashSet();
            await ConsumeAllAsync(consumer, wanted, received, "consuming after the outage");

            await using var lateConsumer = await V2Client.ConnectAsync(silo.TcpPort);
            await lateConsumer.Sub(newTopic, "c");
            await lateConsumer.ExpectOkAsync("SUB to the new topic");
            await lateConsumer.Rdy(10);
            // A SUB creates the channel after the publish: nsqd hands the topic's held message to its first channel.
            var first = await lateConsumer.ExpectMessageAsync("the new topic's message");
            Assert.Contains(first.BodyText, new[] { "late-up", "late-down" });
            Assert.False(silo.HasExited, "the silo exited during the outage");
        }
        finally
        {
            output.WriteLine(silo.OutputSince(0));
        }
    }

    [PostgresFact]
    public async Task A_frozen_postgres_gets_publishes_refused_within_the_publish_timeout_and_nothing_acknowledged_is_lost()
    {
        await using var postgres = await PostgresInstance.StartAsync();
        var topic = $"frozen-{Guid.NewGuid():N}"[..24];
        await using var silo = await SiloProcess.StartAsync(
            "--storage", "postgres", "--storage-connection", postgres.ConnectionString, "--mem-queue-size", "0");
        var acknowledged = new HashSet<string>();
        try
        {
            using var http = new NsqdHttp(silo);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
            for (var i = 0; i < 5; i++) await PubAsync(silo, topic, $"before-{i}", acknowledged, mustBeOk: true);

            await postgres.FreezeServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres frozen");
            // A server that stops answering (no refusal, no reset) is found out by a timeout, not at once: every PUB
            // waiting for the commit gets E_PUB_FAILED when the gateway's --publish-timeout (5 s) passes, never an OK
            // and never Orleans' 30 s call timeout.
            var pubs = Enumerable.Range(0, 3).Select(async i =>
            {
                var clock = Stopwatch.StartNew();
                var frame = await PubAsync(silo, topic, $"frozen-{i}", acknowledged, mustBeOk: false, FrozenAnswerTimeout);
                return (Frame: frame, Elapsed: clock.Elapsed);
            }).ToArray();
            foreach (var (frame, elapsed) in await Task.WhenAll(pubs))
            {
                output.WriteLine($"PUB while frozen: {frame} after {elapsed}");
                Assert.True(frame is { Type: FrameType.Error } && frame.Text.StartsWith("E_PUB_FAILED ", StringComparison.Ordinal),
                    $"PUB while postgres is frozen: expected E_PUB_FAILED, got {frame?.ToString() ?? "a close"} after {elapsed}");
                Assert.True(elapsed < PublishAnswerBound, $"PUB while postgres is frozen answered after {elapsed}");
            }
            var httpClock = Stopwatch.StartNew();
            var (status, body) = await PostAsync(silo, $"/pub?topic={topic}", "frozen-http");
            output.WriteLine($"/pub while frozen: {(int)status} {body} after {httpClock.Elapsed}");
            Assert.True(status == HttpStatusCode.ServiceUnavailable && body.Contains("EXITING", StringComparison.Ordinal),
                $"/pub while postgres is frozen: expected 503 EXITING, got {(int)status} {body}");
            Assert.True(httpClock.Elapsed < PublishAnswerBound, $"/pub while postgres is frozen answered after {httpClock.Elapsed}");

            await postgres.ThawServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres thawed");
            await PublishUntilOkAsync(silo, topic, "retry-", acknowledged, "publishing after postgres thawed");

            var received = new HashSet<string>();
            await using var consumer = await SubscribeAsync(silo, topic);
            await ConsumeAllAsync(consumer, acknowledged, received, "consuming");
            Assert.False(silo.HasExited, "the silo exited during the freeze");
        }
        finally
        {
            output.WriteLine(silo.OutputSince(0));
        }
    }

    [PostgresFact]
    public async Task A_two_silo_cluster_refuses_publishes_on_both_silos_while_postgres_is_down_and_keeps_both_members_after_it()
    {
        await using var postgres = await PostgresInstance.StartAsync();
        var topic = $"cdown-{Guid.NewGuid():N}"[..24];
        await using var cluster = await SiloCluster.StartAsync(postgres.ConnectionString, 2, "--mem-queue-size", "0");
        var acknowledged = new HashSet<string>();
        try
        {
            using var http = new NsqdHttp(cluster.Silos[0]);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
            for (var s = 0; s < 2; s++)
                for (var i = 0; i < 3; i++) await PubAsync(cluster.Silos[s], topic, $"before-{s}-{i}", acknowledged, mustBeOk: true);

            // Membership lives in the same database: probes between the silos go on, but no one can be declared dead
            // (that is a table write), so both stay members through the outage.
            await postgres.StopServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres stopped");
            var outage = Stopwatch.StartNew();
            var attempts = 0;
            while (outage.Elapsed < TimeSpan.FromSeconds(5))
            {
                var silo = cluster.Silos[attempts % 2];
                var frame = await PubAsync(silo, topic, $"down-{attempts}", acknowledged, mustBeOk: false);
                Assert.True(frame is { Type: FrameType.Error } && frame.Text.StartsWith("E_PUB_FAILED ", StringComparison.Ordinal),
                    $"PUB {attempts} on silo {attempts % 2} {outage.Elapsed} into the outage: expected E_PUB_FAILED, got {frame}");
                attempts++;
                await Task.Delay(250); // pacing the probes over the outage, not waiting for a result
            }

            await postgres.StartServerAsync();
            output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff} test] postgres started again after {attempts} refused publishes");
            for (var s = 0; s < 2; s++)
            {
                var silo = cluster.Silos[s];
                await PublishUntilOkAsync(silo, topic, $"retry-{s}-", acknowledged, $"publishing on silo {s} after postgres came back");
                for (var i = 0; i < 3; i++) await PubAsync(silo, topic, $"after-{s}-{i}", acknowledged, mustBeOk: true);
            }
            await cluster.WaitForProducersAsync(2, RecoveryTimeout);

            var received = new HashSet<string>();
            await using var consumer = await SubscribeAsync(cluster.Silos[1], topic);
            await ConsumeAllAsync(consumer, acknowledged, received, "consuming");
            Assert.All(cluster.Silos, s => Assert.False(s.HasExited, $"silo {s.TcpPort} exited"));
        }
        finally
        {
            output.WriteLine(cluster.Output());
        }
    }

    /// <summary>PUBs, each on a connection of its own, until one is answered OK (within <see cref="RecoveryTimeout"/>).</summary>
    private static Task PublishUntilOkAsync(SiloProcess silo, string topic, string bodyPrefix, HashSet<string> acknowledged, string what)
    {
        var attempt = 0;
        return BoundedWait.UntilAsync(what, "PUB answered OK", RecoveryTimeout, async () =>
        {
            var frame = await PubAsync(silo, topic, $"{bodyPrefix}{attempt++}", acknowledged, mustBeOk: false);
            return (frame is { Type: FrameType.Response, Text: "OK" }, frame?.ToString() ?? "closed");
        });
    }

    /// <summary>A consumer of <paramref name="topic"/>'s channel c with RDY 100.</summary>
    private static async Task<V2Client> SubscribeAsync(SiloProcess silo, string topic)
    {
        var consumer = await V2Client.ConnectAsync(silo.TcpPort);
        await consumer.Sub(topic, "c");
        await consumer.ExpectOkAsync("SUB");
        await consumer.Rdy(100);
        return consumer;
    }

    /// <summary>Consumes and FINs until every body of <paramref name="wanted"/> is in <paramref name="received"/>
    /// (within <see cref="RecoveryTimeout"/>).</summary>
    private async Task ConsumeAllAsync(V2Client consumer, HashSet<string> wanted, HashSet<string> received, string what)
    {
        var drain = Stopwatch.StartNew();
        while (!wanted.IsSubsetOf(received))
        {
            Assert.True(drain.Elapsed < RecoveryTimeout,
                $"consuming: missing {string.Join(",", wanted.Except(received))} after {drain.Elapsed}");
            var message = await consumer.ExpectMessageAsync($"{what} ({received.Count} received)");
            received.Add(message.BodyText);
            await consumer.Fin(message.Id);
        }
        output.WriteLine($"{wanted.Count} acknowledged, {received.Count} received: {string.Join(",", received.Order())}");
    }

    /// <summary>PUB on a connection of its own (E_PUB_FAILED closes it, as in nsqd); the body joins
    /// <paramref name="acknowledged"/> when the answer is OK. Null when the server closed without a frame.</summary>
    private static async Task<Frame?> PubAsync(SiloProcess silo, string topic, string body, HashSet<string> acknowledged, bool mustBeOk,
        TimeSpan? timeout = null)
    {
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);
        await client.Pub(topic, body);
        var bound = timeout ?? TimeSpan.FromSeconds(30);
        var frame = await client.ReadFrameAsync($"PUB {body}", bound);
        while (frame is { IsHeartbeat: true }) frame = await client.ReadFrameAsync($"PUB {body}", bound);
        if (frame is { Type: FrameType.Response, Text: "OK" }) lock (acknowledged) acknowledged.Add(body);
        else if (mustBeOk) Assert.Fail($"PUB {body}: expected OK, got {frame?.ToString() ?? "a closed connection"}");
        return frame;
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(SiloProcess silo, string pathAndQuery, string body)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync($"http://{silo.HttpAddress}{pathAndQuery}", new ByteArrayContent(Encoding.UTF8.GetBytes(body)));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The lines the Silo wrote to stderr (SiloProcess marks them "err").</summary>
    private static IEnumerable<string> ErrorLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains(" err] ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(" err] ", StringComparison.Ordinal) + 6)..]);

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
