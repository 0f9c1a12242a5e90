using System.Text.Json;

namespace OrleansNsq.Client.Tests;

/// <summary>The IDENTIFY body (written field by field with Utf8JsonWriter, no reflection: the client is AOT-compatible).</summary>
public sealed class IdentifyTests
{
    [Fact]
    public async Task Identify_carries_the_options_as_nsqd_names_them()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var fake = new FakeNsqd();
        await using var producer = new NsqProducer(new NsqProducerOptions
        {
            NsqdTcpAddress = fake.Address, ConnectionCount = 1, ClientId = "worker-7", Hostname = "worker-7.example",
            UserAgent = "test/1.0", HeartbeatInterval = TimeSpan.FromSeconds(10), Deflate = true, DeflateLevel = 3,
        });

        var publish = producer.PublishAsync("t", "x"u8.ToArray(), timeout.Token);
        using var session = await fake.AcceptAsync(timeout.Token);
        await session.ServeUntilAsync("PUB", timeout.Token);
        await publish;

        using var identify = JsonDocument.Parse(session.Identify);
        var root = identify.RootElement;
        Assert.Equal("worker-7", root.GetProperty("client_id").GetString());
        Assert.Equal("worker-7.example", root.GetProperty("hostname").GetString());
        Assert.Equal("test/1.0", root.GetProperty("user_agent").GetString());
        Assert.True(root.GetProperty("feature_negotiation").GetBoolean());
        Assert.Equal(10_000, root.GetProperty("heartbeat_interval").GetInt32());
        Assert.False(root.GetProperty("tls_v1").GetBoolean());
        Assert.False(root.GetProperty("snappy").GetBoolean());
        Assert.True(root.GetProperty("deflate").GetBoolean());
        Assert.Equal(3, root.GetProperty("deflate_level").GetInt32());
        Assert.False(root.TryGetProperty("msg_timeout", out _), "a producer leaves msg_timeout to nsqd");
    }
}
