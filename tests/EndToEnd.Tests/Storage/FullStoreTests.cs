using System.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// A full store, for real: the embedded database capped at 8 MB (<c>Storage:MaxDatabaseBytes</c>, SQLite's
/// max_page_count, which fails a commit exactly as a full disk does). Publishing past it gets E_PUB_FAILED over TCP
/// instead of an OK the disk cannot keep; consuming frees the space (the channel's cursor lets the log delete what was
/// finished), and the node takes publishes again. Every message that got OK is delivered.
/// </summary>
public sealed class FullStoreTests(ITestOutputHelper output)
{
    private const int PerMpub = 100;
    private const int BodySize = 1000;

    [Fact]
    public async Task A_full_store_answers_E_PUB_FAILED_and_takes_publishes_again_once_consumers_free_space()
    {
        var topic = $"full-{Guid.NewGuid():N}"[..20];
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string> { ["Storage__MaxDatabaseBytes"] = (8 << 20).ToString() });
        try
        {
            using var http = new NsqdHttp(silo);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");

            // Fill: MPUBs until the store refuses (bounded: 40 MB of bodies against an 8 MB cap).
            var acknowledged = new HashSet<string>();
            string? refusal = null;
            await using (var publisher = await V2Client.ConnectAsync(silo.TcpPort))
            {
                for (var round = 0; round < 400 && refusal is null; round++)
                {
                    var bodies = Enumerable.Range(0, PerMpub).Select(i => $"r{round}-{i}-".PadRight(BodySize, 'x')).ToArray();
                    await publisher.Mpub(topic, bodies);
                    var frame = await publisher.ExpectFrameAsync($"MPUB {round}");
                    if (frame.Type == FrameType.Response && frame.Text == "OK") acknowledged.UnionWith(bodies);
                    else refusal = frame.ToString();
                }
            }
            output.WriteLine($"{acknowledged.Count} messages acknowledged, then: {refusal}");
            // nsqd has one text for a failed MPUB; the code is what clients act on.
            Assert.Equal("Error(E_MPUB_FAILED MPUB failed exiting)", refusal);

            // Consume everything that got OK: the cursor's write lets the log delete it, freeing the space.
            var received = new HashSet<string>();
            await using (var consumer = await V2Client.ConnectAsync(silo.TcpPort))
            {
                await consumer.Sub(topic, "c");
                await consumer.ExpectOkAsync("SUB");
                await consumer.Rdy(500);
                var clock = Stopwatch.StartNew();
                while (!acknowledged.IsSubsetOf(received) && clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    var message = await consumer.ExpectMessageAsync("draining the full store");
                    received.Add(message.BodyText);
                    await consumer.Fin(message.Id);
                }
            }
            Assert.Empty(acknowledged.Except(received));

            // Publishes succeed again once a commit does (the cursor first, then the batches that waited).
            await BoundedWait.UntilAsync("publishing after the space was freed", "PUB answered OK", TimeSpan.FromSeconds(30), async () =>
            {
                await using var publisher = await V2Client.ConnectAsync(silo.TcpPort);
                await publisher.Pub(topic, "after");
                var frame = await publisher.ExpectFrameAsync("PUB after");
                return (frame.Type == FrameType.Response && frame.Text == "OK", frame.ToString());
            });
        }
        finally
        {
            output.WriteLine(silo.OutputSince(0));
        }
    }
}
