using OrleansNsq.Tests.Postgres;
using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// Issue 7's crash promise, with the Silo as a real process: at --mem-queue-size=0 a PUB's OK means the message is on
/// disk, so after `kill -9` in the middle of publishing and a restart on the same data, every message that got its OK
/// is delivered (counted by body; duplicates are allowed, as NSQ is at-least-once). Messages in flight to a consumer
/// at the crash are delivered again, and a deferred message still waits for its original due time. Run on the embedded
/// store and on PostgreSQL. A second channel is consumed (FIN) while the publishers run, as under the everyday load:
/// what it finished before the crash plus what it gets after the restart covers every acknowledged message.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private const int Publishers = 4;
    private const int Pipelined = 20;
    private readonly string _dataPath = Directory.CreateTempSubdirectory("orleansnsq-e2e-crash-").FullName;

    [Fact]
    public Task Kill_9_mid_publish_at_mem_queue_size_0_loses_no_message_that_got_OK() =>
        KillMidPublishAndRestartAsync("--data-path", _dataPath);

    [PostgresFact]
    public async Task Kill_9_mid_publish_at_mem_queue_size_0_loses_no_message_that_got_OK_on_postgres()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await KillMidPublishAndRestartAsync("--storage", "postgres", "--storage-connection", schema.ConnectionString);
    }

    /// <summary>The crash test on the store <paramref name="storage"/> names (flags), started twice on the same data.</summary>
    private async Task KillMidPublishAndRestartAsync(params string[] storage)
    {
        string[] flags = [.. storage, "--mem-queue-size", "0"];
        var topic = $"crash-{Guid.NewGuid():N}"[..24];
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var inFlightAtCrash = new List<string>();
        var finishedLive = new ConcurrentDictionary<string, bool>();
        DateTimeOffset deferredDue;

        await using (var first = await SiloProcess.StartAsync(flags))
        {
            try
            {
                using var http = new NsqdHttp(first);
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
                await http.CreateChannelAsync(topic, "live");

                // A consumer holds a few messages in flight (never FIN'd) when the node dies.
                await http.PubAsync(topic, "in flight 1");
                await http.PubAsync(topic, "in flight 2");
                await using var consumer = await V2Client.ConnectAsync(first.TcpPort);
                await consumer.Sub(topic, "c");
                await consumer.ExpectOkAsync("SUB");
                await consumer.Rdy(2);
                inFlightAtCrash.Add((await consumer.ExpectMessageAsync("first in-flight message")).BodyText);
                inFlightAtCrash.Add((await consumer.ExpectMessageAsync("second in-flight message")).BodyText);
                await consumer.Rdy(0);

                // A deferred message, due well after the restart.
                await using (var deferrer = await V2Client.ConnectAsync(first.TcpPort))
                {
                    deferredDue = DateTimeOffset.UtcNow.AddSeconds(12);
                    await deferrer.WriteAsync(V2Client.Command($"DPUB {topic} 12000", "deferred"u8.ToArray()));
                    await deferrer.ExpectOkAsync("DPUB");
                }

                // Publishers pipeline PUBs; a body counts once its OK arrives. The node is killed while they run.
                using var stop = new CancellationTokenSource();
                var consuming = ConsumeUntilKilledAsync(first.TcpPort, topic, "live", finishedLive, stop.Token);
                var publishing = Enumerable.Range(0, Publishers)
                    .Select(p => PublishUntilKilledAsync(first.TcpPort, topic, p, acknowledged, stop.Token)).ToArray();
                await BoundedWait.UntilAsync("publishing", "10,000 acknowledged PUBs", TimeSpan.FromSeconds(60),
                    () => Task.FromResult((acknowledged.Count >= 10_000, $"{acknowledged.Count} acknowledged")));
                output.WriteLine($"killing the silo with {acknowledged.Count} PUBs acknowledged");
                await first.KillAsync(); // while the publishers are writing
                stop.Cancel();
                await Task.WhenAll(publishing);
                await consuming;
            }
            finally
            {
                output.WriteLine(first.OutputSince(0));
            }
        }

        var expected = acknowledged.Keys.Concat(inFlightAtCrash).Append("deferred").ToHashSet();
        output.WriteLine($"{acknowledged.Count} PUBs got OK before the crash");

        await using var second = await BoundedWait.ForAsync(
            SiloProcess.StartAsync(flags), "restart after kill -9", StartupTimeout);
        try
        {
            var received = new Dictionary<string, int>();
            DateTimeOffset? deferredAt = null;
            await using var reader = await V2Client.ConnectAsync(second.TcpPort);
            await reader.Sub(topic, "c");
            await reader.ExpectOkAsync("SUB after restart");
            await reader.Rdy(1000);
            var clock = Stopwatch.StartNew();
            while (expected.Except(received.Keys).Any() && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                var frame = await reader.ReadFrameAsync("draining after restart", TimeSpan.FromSeconds(20))
                            ?? throw new Xunit.Sdk.XunitException("the restarted node closed the connection");
                if (frame.Type != FrameType.Message)
                {
                    if (frame.IsHeartbeat) await reader.Nop();
                    continue;
                }
                var message = NsqMessage.Parse(frame.Data);
                received[message.BodyText] = received.GetValueOrDefault(message.BodyText) + 1;
                if (message.BodyText == "deferred") deferredAt = DateTimeOffset.UtcNow;
                await reader.Fin(message.Id);
            }

            var missing = expected.Except(received.Keys).ToList();
            var live = await DrainAsync(second.TcpPort, topic, "live", acknowledged.Keys.Except(finishedLive.Keys).ToHashSet());
            var missingLive = acknowledged.Keys.Except(finishedLive.Keys).Except(live).ToList();
            output.WriteLine($"channel live: {finishedLive.Count} finished before the crash, {live.Count} after the restart");
            Assert.True(missingLive.Count == 0, $"channel live: {missingLive.Count} acknowledged messages neither finished nor delivered, e.g. {string.Join(", ", missingLive.Take(5))}");
            output.WriteLine($"received {received.Count} distinct bodies, {received.Values.Sum() - received.Count} duplicates");
            Assert.True(missing.Count == 0, $"{missing.Count} acknowledged messages lost, e.g. {string.Join(", ", missing.Take(5))}");
            Assert.True(deferredAt >= deferredDue.AddMilliseconds(-200),
                $"the deferred message came at {deferredAt:O}, before its due time {deferredDue:O}");
        }
        finally
        {
            output.WriteLine(second.OutputSince(0));
        }
    }

    /// <summary>Finishes every message of <paramref name="channel"/> as it arrives until the connection dies (the kill)
    /// or the test stops it; a FIN written counts the body finished (its delivery again after the restart is allowed).</summary>
    private static async Task ConsumeUntilKilledAsync(int port, string topic, string channel,
        ConcurrentDictionary<string, bool> finished, CancellationToken stop)
    {
        try
        {
            await using var client = await V2Client.ConnectAsync(port);
            await client.Sub(topic, channel);
            await client.ExpectOkAsync("SUB live");
            await client.Rdy(500);
            while (!stop.IsCancellationRequested)
            {
                var frame = await client.ReadFrameAsync("consuming live", TimeSpan.FromSeconds(10));
                if (frame is null) return;
                if (frame.Type != FrameType.Message)
                {
                    if (frame.IsHeartbeat) await client.Nop();
                    continue;
                }
                var message = NsqMessage.Parse(frame.Data);
                await client.Fin(message.Id);
                finished[message.BodyText] = true;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or ObjectDisposedException)
        {
            // the node was killed under us
        }
    }

    /// <summary>Reads <paramref name="channel"/> after the restart, finishing everything, until every body of
    /// <paramref name="wanted"/> came (or 60 s passed). Returns the distinct bodies received.</summary>
    private static async Task<HashSet<string>> DrainAsync(int port, string topic, string channel, HashSet<string> wanted)
    {
        var received = new HashSet<string>();
        await using var reader = await V2Client.ConnectAsync(port);
        await reader.Sub(topic, channel);
        await reader.ExpectOkAsync($"SUB {channel} after restart");
        await reader.Rdy(1000);
        var clock = Stopwatch.StartNew();
        while (wanted.Except(received).Any() && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var frame = await reader.ReadFrameAsync($"draining {channel} after restart", TimeSpan.FromSeconds(20))
                        ?? throw new Xunit.Sdk.XunitException("the restarted node closed the connection");
            if (frame.Type != FrameType.Message)
            {
                if (frame.IsHeartbeat) await reader.Nop();
                continue;
            }
            var message = NsqMessage.Parse(frame.Data);
            received.Add(message.BodyText);
            await reader.Fin(message.Id);
        }
        return received;
    }

    /// <summary>Writes <see cref="Pipelined"/> PUBs, then reads their replies; every OK marks its body acknowledged.
    /// Ends when the connection dies (the kill) or when told to stop.</summary>
    private static async Task PublishUntilKilledAsync(int port, string topic, int publisher,
        ConcurrentDictionary<string, bool> acknowledged, CancellationToken stop)
    {
        try
        {
            await using var client = await V2Client.ConnectAsync(port);
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var bodies = Enumerable.Range(0, Pipelined).Select(i => $"p{publisher}-{round}-{i}").ToArray();
                foreach (var body in bodies) await client.Pub(topic, body);
                foreach (var body in bodies)
                {
                    Frame? frame;
                    do frame = await client.ReadFrameAsync("PUB reply", TimeSpan.FromSeconds(10));
                    while (frame is { IsHeartbeat: true });
                    if (frame is null) return;
                    if (frame.Type == FrameType.Response && frame.Text == "OK") acknowledged[body] = true;
                    else throw new Xunit.Sdk.XunitException($"PUB answered {frame}");
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException or ObjectDisposedException)
        {
            // the node was killed under us
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
