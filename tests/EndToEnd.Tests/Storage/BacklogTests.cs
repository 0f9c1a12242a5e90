using OrleansNsq.Tests.Postgres;
using System.Diagnostics;
using System.Text;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// Issue 7's bounded memory, full size (docs/PERFORMANCE.md has the figures): with no consumer, 2,000,000 messages of
/// 100 bytes published at --mem-queue-size=10000 keep the Silo's RSS under 300 MB (the channel keeps only ids beyond
/// 10,000; the bodies wait in the message log); a consumer then drains all of them, each body exactly as published
/// (at-least-once: duplicates are counted, none may be missing).
/// </summary>
public sealed class BacklogTests(ITestOutputHelper output)
{
    private const int Messages = 2_000_000;
    private const int BodySize = 100;
    private const int PerMpub = 200;
    private const int PipelinedMpubs = 8;
    private const long RssLimit = 300L << 20;

    [Fact]
    public Task Two_million_messages_without_a_consumer_keep_rss_under_300_MB_and_all_drain() => PublishThenDrainAsync();

    [PostgresFact]
    public async Task Two_million_messages_without_a_consumer_keep_rss_under_300_MB_and_all_drain_on_postgres()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await PublishThenDrainAsync("--storage", "postgres", "--storage-connection", schema.ConnectionString);
    }

    private async Task PublishThenDrainAsync(params string[] storage)
    {
        var topic = $"backlog-{Guid.NewGuid():N}"[..24];
        await using var silo = await SiloProcess.StartAsync([.. storage, "--mem-queue-size", "10000"]);
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !silo.HasExited)
            {
                peak = Math.Max(peak, silo.ResidentBytes());
                await Task.Delay(100);
            }
        });
        try
        {
            using var http = new NsqdHttp(silo);
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");

            var clock = Stopwatch.StartNew();
            await PublishAllAsync(silo.TcpPort, topic);
            var published = clock.Elapsed;
            var stats = await http.StatsAsync(topic);
            var channel = stats.Channel(topic, "c")!.Value;
            output.WriteLine($"published {Messages:N0} in {published.TotalSeconds:F1} s ({Messages / published.TotalSeconds:N0} msgs/s), " +
                             $"peak RSS {peak >> 20} MB, depth {channel.GetProperty("depth")}, backend_depth {channel.GetProperty("backend_depth")}");
            Assert.Equal(Messages, channel.GetProperty("depth").GetInt64());
            Assert.True(channel.GetProperty("backend_depth").GetInt64() >= Messages - 10_000 - PerMpub, "the backlog beyond 10,000 is in the log");

            clock.Restart();
            var (duplicates, missing) = await DrainAllAsync(silo.TcpPort, topic);
            output.WriteLine($"drained in {clock.Elapsed.TotalSeconds:F1} s ({Messages / clock.Elapsed.TotalSeconds:N0} msgs/s), " +
                             $"{duplicates} duplicates, peak RSS {peak >> 20} MB");
            Assert.True(missing == 0, $"{missing} messages never delivered");
            Assert.True(peak < RssLimit, $"peak RSS {peak >> 20} MB, limit {RssLimit >> 20} MB");
        }
        finally
        {
            sampling.Cancel();
            await sampler;
            output.WriteLine(silo.OutputSince(0));
        }
    }

    private static string Body(int index) => index.ToString("D10", System.Globalization.CultureInfo.InvariantCulture).PadRight(BodySize, 'x');

    private static async Task PublishAllAsync(int port, string topic)
    {
        await using var client = await V2Client.ConnectAsync(port);
        var outstanding = 0;
        for (var first = 0; first < Messages; first += PerMpub)
        {
            await client.Mpub(topic, Enumerable.Range(first, PerMpub).Select(Body).ToArray());
            if (++outstanding == PipelinedMpubs)
            {
                await client.ExpectOkAsync($"MPUB ending at {first + PerMpub}");
                outstanding--;
            }
        }
        while (outstanding-- > 0) await client.ExpectOkAsync("last MPUBs");
    }

    /// <summary>Consumes with RDY 2500, FINs written in batches; returns duplicates and how many never came.</summary>
    private static async Task<(int Duplicates, int Missing)> DrainAllAsync(int port, string topic)
    {
        var seen = new bool[Messages];
        var distinct = 0;
        var duplicates = 0;
        await using var client = await V2Client.ConnectAsync(port);
        await client.Sub(topic, "c");
        await client.ExpectOkAsync("SUB");
        await client.Rdy(2500);
        var fins = new StringBuilder();
        var pending = 0;
        var clock = Stopwatch.StartNew();
        while (distinct < Messages && clock.Elapsed < TimeSpan.FromMinutes(4))
        {
            var frame = await client.ReadFrameAsync("draining", TimeSpan.FromSeconds(30))
                        ?? throw new Xunit.Sdk.XunitException("the node closed the consumer's connection");
            if (frame.Type != FrameType.Message)
            {
                if (frame.IsHeartbeat) await client.Nop();
                continue;
            }
            var data = frame.Data;
            var body = Encoding.ASCII.GetString(data, 26, data.Length - 26);
            var index = int.Parse(body.AsSpan(0, 10), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Body(index), body);
            if (seen[index]) duplicates++;
            else
            {
                seen[index] = true;
                distinct++;
            }
            fins.Append("FIN ").Append(Encoding.ASCII.GetString(data, 10, 16)).Append('\n');
            if (++pending == 500 || distinct == Messages)
            {
                await client.WriteAsync(fins.ToString());
                fins.Clear();
                pending = 0;
            }
        }
        return (duplicates, Messages - distinct);
    }
}
