using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Tls;

namespace OrleansNsq.EndToEnd.Tests.Tls;

/// <summary>
/// snappy and deflate as nsqd 1.3 negotiates them in IDENTIFY: the answer goes out as the connection was, then the
/// stream is compressed both ways and <c>OK</c> comes through the compressor; over TLS the compression sits on top of
/// it. nsqjs (with the snappystream package, and Node's zlib for deflate) moves messages through each, byte for byte.
/// </summary>
public sealed class CompressionTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);
    private readonly ThrowAwayCa _ca = ThrowAwayCa.Create();

    private static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..30];

    [Theory]
    [InlineData("snappy", false)]
    [InlineData("deflate", false)]
    [InlineData("snappy", true)]
    [InlineData("deflate", true)]
    public async Task Nsqjs_publishes_and_consumes_10000_messages_through_the_compressed_stream(string compression, bool tls)
    {
        const int count = 10_000;
        string[] flags = tls ? ["--tls-cert", _ca.ServerCertFile, "--tls-key", _ca.ServerKeyFile, "--https-address", ""] : [];
        await using var silo = await SiloProcess.StartAsync(flags);
        var topic = Unique(compression);
        using (var http = new NsqdHttp(silo))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
        }
        (string, object)[] layers = tls ? [(compression, true), ("tls", true), ("tls-ca", _ca.CaFile)] : [(compression, true)];

        await using var consumer = NodeScript.Start("consume.js", ScriptTimeout,
            [("nsqd", silo.TcpAddress), ("topic", topic), ("channel", "c"), ("expect", count), ("max-in-flight", 200), .. layers]);
        var published = (await NodeScript.RunAsync("publish.js", $"publish through {compression}", ScriptTimeout,
            [("nsqd", silo.TcpAddress), ("topic", topic), ("count", count), ("prefix", $"{compression}-"), ("mode", "mixed"), .. layers])).EnsureOk();
        var consumed = (await consumer.CompleteAsync($"consume through {compression}")).EnsureOk();
        output.WriteLine(published.ToString());
        output.WriteLine(consumed.ToString());

        Assert.Equal(count, published.Number("published"));
        Assert.Equal(count, consumed.Number("unique"));
        Assert.Equal(count, consumed.Number("finished"));
    }

    [Theory]
    [InlineData("snappy")]
    [InlineData("deflate")]
    public async Task Identify_grants_the_compression_then_OK_and_every_later_frame_come_through_it_and_stats_say_so(string compression)
    {
        await using var silo = await SiloProcess.StartAsync();
        var topic = Unique($"raw-{compression}");
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);

        await client.Identify(compression == "snappy"
            ? new { feature_negotiation = true, snappy = true, deflate = false, deflate_level = 0 }
            : new { feature_negotiation = true, snappy = false, deflate = true, deflate_level = 9 });
        var answer = await client.ReadFrameAsync("IDENTIFY answer, uncompressed");
        Assert.NotNull(answer);
        using (var json = JsonDocument.Parse(answer.Data))
        {
            Assert.True(json.RootElement.GetProperty(compression).GetBoolean(), answer.Text);
            // nsqd caps the asked level at --max-deflate-level (6)
            Assert.Equal(6, json.RootElement.GetProperty("deflate_level").GetInt32());
        }
        client.Compress(compression);
        await client.ExpectOkAsync($"OK through {compression}");
        await client.Pub(topic, $"through {compression}");
        await client.ExpectOkAsync($"PUB through {compression}");
        await client.Sub(topic, "c");
        await client.ExpectOkAsync("SUB");

        using var http = new HttpClient();
        using var stats = JsonDocument.Parse(await http.GetStringAsync($"http://{silo.HttpAddress}/stats?format=json&topic={topic}"));
        var reported = stats.RootElement.GetProperty("topics")[0].GetProperty("channels")[0].GetProperty("clients")[0];
        Assert.True(reported.GetProperty(compression).GetBoolean(), reported.ToString());
    }

    [Fact]
    public async Task Identify_asking_for_both_compressions_is_fatal_E_IDENTIFY_FAILED()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);

        await client.Identify(new { feature_negotiation = true, snappy = true, deflate = true });

        await client.ExpectErrorAsync("E_IDENTIFY_FAILED cannot enable both deflate and snappy compression", "IDENTIFY with both");
        await client.ExpectClosedAsync("closed after it");
    }

    [Fact]
    public async Task With_snappy_and_deflate_off_identify_grants_neither_and_caps_the_deflate_level()
    {
        await using var silo = await SiloProcess.StartAsync("--snappy=false", "--deflate=false", "--max-deflate-level=3");
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);

        await client.Identify(new { feature_negotiation = true, snappy = true });
        var answer = await client.ReadFrameAsync("IDENTIFY answer");
        Assert.NotNull(answer);
        using var json = JsonDocument.Parse(answer.Data);
        Assert.False(json.RootElement.GetProperty("snappy").GetBoolean());
        Assert.False(json.RootElement.GetProperty("deflate").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("deflate_level").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("max_deflate_level").GetInt32());
        await client.Pub(Unique("plain"), "x");
        await client.ExpectOkAsync("PUB on the plain connection");
    }

    public void Dispose() => _ca.Dispose();
}
