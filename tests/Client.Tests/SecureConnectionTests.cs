using System.Collections.Concurrent;
using System.Net.Security;
using System.Text;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Tls;

namespace OrleansNsq.Client.Tests;

/// <summary>
/// The client over every layer nsqd negotiates, against a real Silo with a certificate made by the test and an auth
/// server in the test: TLS (trusting the test's CA only), snappy, deflate, both over TLS, and AUTH on each. Every
/// message arrives byte for byte.
/// </summary>
public sealed class SecureConnectionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ThrowAwayCa _ca = ThrowAwayCa.Create();
    private FakeAuthServer? _auth;
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _auth = FakeAuthServer.Start();
        _auth.Answer = q => q["secret"] == "client-secret"
            ? (200, FakeAuthServer.Grant(3600, ".*", [".*"], "subscribe", "publish"))
            : (403, "{}");
        _silo = await SiloProcess.StartAsync("--tls-cert", _ca.ServerCertFile, "--tls-key", _ca.ServerKeyFile,
            "--https-address", "", "--auth-http-address", _auth.Address);
    }

    private SslClientAuthenticationOptions TrustTheTestCa() => new()
    {
        RemoteCertificateValidationCallback = (_, certificate, _, _) => ThrowAwayCa.ChainsTo(certificate, _ca.Certificate),
    };

    [Theory]
    [InlineData(true, "")]
    [InlineData(true, "snappy")]
    [InlineData(true, "deflate")]
    [InlineData(false, "snappy")]
    [InlineData(false, "deflate")]
    [InlineData(false, "")]
    public async Task Messages_go_through_tls_and_compression_with_auth_byte_for_byte(bool tls, string compression)
    {
        const int count = 1000;
        var topic = $"secure-{Guid.NewGuid():N}"[..24];
        void Layers(NsqConnectionOptions o)
        {
            o.Tls = tls ? TrustTheTestCa() : null;
            o.Snappy = compression == "snappy";
            o.Deflate = compression == "deflate";
            o.DeflateLevel = 9;
            o.AuthSecret = "client-secret";
        }

        var producerOptions = new NsqProducerOptions { NsqdTcpAddress = _silo!.TcpAddress };
        Layers(producerOptions);
        await using var producer = new NsqProducer(producerOptions, new TestOutputLogger<NsqProducer>(output));
        // bodies of every byte value, so a layer that changed one byte would show
        var bodies = Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"{i}:").Concat(Enumerable.Range(0, 256).Select(b => (byte)b)).ToArray()).ToArray();
        using (var http = new NsqdHttp(_silo))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
        }
        await Task.WhenAll(bodies.Select(b => producer.PublishAsync(topic, b)));

        var received = new ConcurrentDictionary<string, byte[]>();
        var consumerOptions = new NsqConsumerOptions { Topic = topic, Channel = "c", NsqdTcpAddresses = [_silo.TcpAddress], MaxInFlight = 100 };
        Layers(consumerOptions);
        await using var consumer = new NsqConsumer(consumerOptions, (m, _) =>
        {
            var body = m.Body.ToArray();
            received[Encoding.UTF8.GetString(body, 0, Array.IndexOf(body, (byte)':'))] = body;
            return Task.CompletedTask;
        }, new TestOutputLogger<NsqConsumer>(output));
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("consume through the layers", $"{count} bodies", TimeSpan.FromSeconds(60),
            () => Task.FromResult((received.Count >= count, $"{received.Count} received")));
        foreach (var (key, body) in received)
            Assert.True(body.AsSpan().SequenceEqual(bodies[int.Parse(key)]), $"body {key} changed on the way");
    }

    [Fact]
    public async Task A_wrong_auth_secret_fails_the_publish_with_nsqds_error()
    {
        var options = new NsqProducerOptions { NsqdTcpAddress = _silo!.TcpAddress, AuthSecret = "wrong" };
        await using var producer = new NsqProducer(options, new TestOutputLogger<NsqProducer>(output));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => producer.PublishAsync("t", "x"u8.ToArray()));
        Assert.Contains("E_AUTH_FAILED", error.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
        if (_auth is not null) await _auth.DisposeAsync();
        _ca.Dispose();
    }
}
