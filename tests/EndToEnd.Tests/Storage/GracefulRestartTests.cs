using System.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// A clean restart at the default --mem-queue-size (the log written behind): SIGTERM makes every channel write its
/// cursor, so after the restart exactly the messages not finished come back — none lost, none finished delivered again.
/// </summary>
public sealed class GracefulRestartTests(ITestOutputHelper output) : IDisposable
{
    private const int Messages = 1_000;
    private const int FinishedBefore = 300;
    private readonly string _dataPath = Directory.CreateTempSubdirectory("orleansnsq-e2e-graceful-").FullName;

    [Fact]
    public async Task After_sigterm_and_a_restart_exactly_the_unfinished_messages_are_delivered()
    {
        var topic = $"graceful-{Guid.NewGuid():N}"[..24];
        var all = Enumerable.Range(0, Messages).Select(i => $"m{i:D4}").ToList();
        var finished = new HashSet<string>();
        await using (var first = await SiloProcess.StartAsync("--data-path", _dataPath))
        {
            try
            {
                using var http = new NsqdHttp(first);
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
                await http.MpubAsync(topic, all);

                await using var consumer = await V2Client.ConnectAsync(first.TcpPort);
                await consumer.Sub(topic, "c");
                await consumer.ExpectOkAsync("SUB");
                await consumer.Rdy(1);
                while (finished.Count < FinishedBefore)
                {
                    var message = await consumer.ExpectMessageAsync($"message {finished.Count}");
                    finished.Add(message.BodyText);
                    await consumer.Fin(message.Id);
                    await consumer.Rdy(1);
                }
                await consumer.Rdy(0);
                await consumer.Nop(); // the last FIN is read before the stop
                await Task.Delay(200);
                Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
            }
            finally
            {
                output.WriteLine(first.OutputSince(0));
            }
        }

        await using var second = await BoundedWait.ForAsync(SiloProcess.StartAsync("--data-path", _dataPath), "restart", TimeSpan.FromSeconds(90));
        try
        {
            var expected = all.Except(finished).ToHashSet();
            var received = new List<string>();
            await using var reader = await V2Client.ConnectAsync(second.TcpPort);
            await reader.Sub(topic, "c");
            await reader.ExpectOkAsync("SUB after restart");
            await reader.Rdy(100);
            var clock = Stopwatch.StartNew();
            while (received.Count < expected.Count && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                var message = await reader.ExpectMessageAsync($"after restart, message {received.Count}");
                received.Add(message.BodyText);
                await reader.Fin(message.Id);
            }
            // Nothing more: a finished message coming back would show here.
            var extra = await reader.ReadFrameAsync("anything more", TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsFaulted ? null : t.Result);

            Assert.Equal(expected.OrderBy(b => b), received.OrderBy(b => b));
            Assert.True(extra is null || extra.IsHeartbeat, $"more came after the unfinished ones: {extra}");
        }
        finally
        {
            output.WriteLine(second.OutputSince(0));
        }
    }

    [Fact]
    public async Task Under_publish_and_consume_at_once_a_restart_delivers_exactly_the_acknowledged_messages_not_finished()
    {
        // Written behind, batches every channel finished before the log reached them are never written; the ones a
        // consumer still holds must be. Every tenth batch is held in flight, the rest finished as they arrive.
        const int batches = 200, perBatch = 100;
        var topic = $"mixed-{Guid.NewGuid():N}"[..24];
        var held = new HashSet<string>();
        var seen = 0;
        await using (var first = await SiloProcess.StartAsync("--data-path", _dataPath))
        {
            try
            {
                using var http = new NsqdHttp(first);
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
                await using var consumer = await V2Client.ConnectAsync(first.TcpPort);
                await consumer.Sub(topic, "c");
                await consumer.ExpectOkAsync("SUB");
                await consumer.Rdy(2500);

                var publishing = Task.Run(async () =>
                {
                    await using var producer = await V2Client.ConnectAsync(first.TcpPort);
                    for (var b = 0; b < batches; b++)
                    {
                        await producer.Mpub(topic, Enumerable.Range(0, perBatch).Select(i => $"b{b:D4}-{i:D3}").ToList());
                        await producer.ExpectOkAsync($"MPUB {b}");
                    }
                });
                var clock = Stopwatch.StartNew();
                while (seen < batches * perBatch && clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    var frame = await consumer.ReadFrameAsync("consuming while publishing", TimeSpan.FromSeconds(20))
                                ?? throw new Xunit.Sdk.XunitException("the node closed the consumer");
                    if (frame.Type != FrameType.Message)
                    {
                        if (frame.IsHeartbeat) await consumer.Nop();
                        continue;
                    }
                    var message = NsqMessage.Parse(frame.Data);
                    seen++;
                    if (int.Parse(message.BodyText.AsSpan(1, 4)) % 10 == 0) held.Add(message.BodyText);
                    else await consumer.Fin(message.Id);
                }
                await publishing;
                Assert.Equal(batches * perBatch, seen);
                // Every FIN has reached the channel when only the held messages are in flight there.
                await BoundedWait.UntilAsync("finishing", $"{held.Count} in flight", TimeSpan.FromSeconds(30), async () =>
                {
                    var inFlight = (await http.StatsAsync(topic)).ChannelCounter(topic, "c", "in_flight_count");
                    return (inFlight == held.Count, $"{inFlight} in flight");
                });
                Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
            }
            finally
            {
                output.WriteLine(first.OutputSince(0));
            }
        }

        await using var second = await BoundedWait.ForAsync(SiloProcess.StartAsync("--data-path", _dataPath), "restart", TimeSpan.FromSeconds(90));
        try
        {
            var received = new List<string>();
            await using var reader = await V2Client.ConnectAsync(second.TcpPort);
            await reader.Sub(topic, "c");
            await reader.ExpectOkAsync("SUB after restart");
            await reader.Rdy(2500);
            var clock = Stopwatch.StartNew();
            while (received.Count < held.Count && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                var message = await reader.ExpectMessageAsync($"after restart, message {received.Count}");
                received.Add(message.BodyText);
                await reader.Fin(message.Id);
            }
            var extra = await reader.ReadFrameAsync("anything more", TimeSpan.FromSeconds(2)).ContinueWith(t => t.IsFaulted ? null : t.Result);

            Assert.Equal(batches / 10 * perBatch, held.Count);
            Assert.Equal(held.OrderBy(b => b), received.OrderBy(b => b));
            Assert.True(extra is null || extra.IsHeartbeat, $"a finished message came back: {extra}");
        }
        finally
        {
            output.WriteLine(second.OutputSince(0));
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
