using System.Net;
using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Tls;

namespace OrleansNsq.EndToEnd.Tests.Tls;

/// <summary>
/// TLS as nsqd 1.3 does it, against a real Silo started with nsqd's flags and a certificate made by the test: a TCP
/// client that asks for <c>tls_v1</c> in IDENTIFY gets the answer in clear, upgrades the same connection, and gets
/// <c>OK</c> over TLS; --tls-required refuses everything else before the upgrade; HTTPS serves the nsqd API.
/// </summary>
public sealed class TlsTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);
    private readonly ThrowAwayCa _ca = ThrowAwayCa.Create();

    private string[] TlsFlags(params string[] more) =>
        ["--tls-cert", _ca.ServerCertFile, "--tls-key", _ca.ServerKeyFile, "--tls-root-ca-file", _ca.CaFile,
            "--https-address", $"127.0.0.1:{FreePorts.Take(1)[0]}", .. more];

    private static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..30];

    [Fact]
    public async Task Nsqjs_publishes_and_consumes_10000_messages_over_tls_each_byte_for_byte()
    {
        const int count = 10_000;
        await using var silo = await SiloProcess.StartAsync(TlsFlags());
        var topic = Unique("tls");
        using (var http = new NsqdHttp(silo))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
        }

        await using var consumer = NodeScript.Start("consume.js", ScriptTimeout, ("nsqd", silo.TcpAddress), ("topic", topic),
            ("channel", "c"), ("expect", count), ("max-in-flight", 200), ("tls", true), ("tls-ca", _ca.CaFile));
        var published = (await NodeScript.RunAsync("publish.js", "publish over TLS with nsqjs", ScriptTimeout,
            ("nsqd", silo.TcpAddress), ("topic", topic), ("count", count), ("prefix", "tls-"), ("mode", "mixed"),
            ("tls", true), ("tls-ca", _ca.CaFile))).EnsureOk();
        var consumed = (await consumer.CompleteAsync("consume over TLS with nsqjs")).EnsureOk();
        output.WriteLine(published.ToString());
        output.WriteLine(consumed.ToString());

        Assert.Equal(count, published.Number("published"));
        Assert.Equal(count, consumed.Number("unique"));
        Assert.Equal(count, consumed.Number("finished"));
    }

    [Fact]
    public async Task Identify_with_tls_v1_answers_in_clear_then_OK_over_tls_and_stats_show_the_tls_client()
    {
        await using var silo = await SiloProcess.StartAsync(TlsFlags());
        var topic = Unique("tls-raw");
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);

        await client.Identify(new { feature_negotiation = true, tls_v1 = true, user_agent = "tls-test" });
        var answer = await client.ReadFrameAsync("IDENTIFY answer, in clear");
        Assert.NotNull(answer);
        using (var json = JsonDocument.Parse(answer.Data))
            Assert.True(json.RootElement.GetProperty("tls_v1").GetBoolean(), answer.Text);
        await client.UpgradeToTlsAsync(_ca.Certificate);
        await client.ExpectOkAsync("OK over TLS after the upgrade");

        await client.Pub(topic, "over tls");
        await client.ExpectOkAsync("PUB over TLS");
        await client.Sub(topic, "c");
        await client.ExpectOkAsync("SUB over TLS");
        await client.Rdy(1);
        // A topic without channels keeps what it gets for its first channel, as nsqd does.
        var message = await client.ExpectMessageAsync("the message over TLS");
        Assert.Equal("over tls", message.BodyText);

        using var stats = new HttpClient();
        using var doc = JsonDocument.Parse(await stats.GetStringAsync($"http://{silo.HttpAddress}/stats?format=json&topic={topic}"));
        var tlsClient = doc.RootElement.GetProperty("topics")[0].GetProperty("channels")[0].GetProperty("clients")[0];
        Assert.True(tlsClient.GetProperty("tls").GetBoolean(), tlsClient.ToString());
        Assert.StartsWith("TLS1.", tlsClient.GetProperty("tls_version").GetString());
        Assert.NotEqual("", tlsClient.GetProperty("tls_cipher_suite").GetString());
    }

    [Fact]
    public async Task Without_a_certificate_identify_answers_tls_v1_false_and_the_connection_stays_plain()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);

        await client.Identify(new { feature_negotiation = true, tls_v1 = true });
        var answer = await client.ReadFrameAsync("IDENTIFY answer");
        Assert.NotNull(answer);
        using (var json = JsonDocument.Parse(answer.Data))
            Assert.False(json.RootElement.GetProperty("tls_v1").GetBoolean(), answer.Text);
        await client.Pub(Unique("plain"), "x");
        await client.ExpectOkAsync("PUB in clear");
    }

    [Fact]
    public async Task With_tls_required_tcp_https_a_command_before_the_upgrade_is_fatal_and_plain_http_stays_open()
    {
        await using var silo = await SiloProcess.StartAsync(TlsFlags("--tls-required=tcp-https"));
        await using var plain = await V2Client.ConnectAsync(silo.TcpPort);

        await plain.Identify(new { feature_negotiation = true, tls_v1 = false });
        await plain.ReadFrameAsync("IDENTIFY answer");
        await plain.Pub(Unique("refused"), "x");
        await plain.ExpectErrorAsync("E_INVALID cannot PUB in current state (TLS required)", "PUB before TLS");
        await plain.ExpectClosedAsync("closed after the TLS-required error");

        await using var unknown = await V2Client.ConnectAsync(silo.TcpPort);
        await unknown.WriteAsync("FOO\n"u8.ToArray());
        await unknown.ExpectErrorAsync("E_INVALID cannot FOO in current state (TLS required)", "any verb, known or not");

        using var http = new HttpClient();
        Assert.Equal("OK", await http.GetStringAsync($"http://{silo.HttpAddress}/ping"));
    }

    [Fact]
    public async Task With_tls_required_tcp_https_nsqjs_over_tls_moves_messages_and_nsqjs_without_tls_is_refused()
    {
        const int count = 2_000;
        await using var silo = await SiloProcess.StartAsync(TlsFlags("--tls-required=tcp-https"));
        var topic = Unique("tls-req");
        using (var http = new NsqdHttp(silo))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
        }

        var refused = await NodeScript.RunAsync("publish.js", "publish without TLS to a server that requires it", ScriptTimeout,
            ("nsqd", silo.TcpAddress), ("topic", topic), ("count", 10), ("prefix", "plain-"), ("mode", "pub"));
        output.WriteLine(refused.ToString());
        Assert.False(refused.Ok, refused.ToString());
        // nsqjs has pipelined its PUB and sees the closed socket (EPIPE) before nsqd's error; the exact error and the
        // close are With_tls_required_tcp_https_a_command_before_the_upgrade_is_fatal_and_plain_http_stays_open's.
        Assert.Equal(0, refused.Number("published"));

        await using var consumer = NodeScript.Start("consume.js", ScriptTimeout, ("nsqd", silo.TcpAddress), ("topic", topic),
            ("channel", "c"), ("expect", count), ("max-in-flight", 100), ("tls", true), ("tls-ca", _ca.CaFile));
        var published = (await NodeScript.RunAsync("publish.js", "publish over TLS to a server that requires it", ScriptTimeout,
            ("nsqd", silo.TcpAddress), ("topic", topic), ("count", count), ("prefix", "tls-"), ("mode", "mixed"),
            ("tls", true), ("tls-ca", _ca.CaFile))).EnsureOk();
        var consumed = (await consumer.CompleteAsync("consume over TLS from a server that requires it")).EnsureOk();

        Assert.Equal(count, published.Number("published"));
        Assert.Equal(count, consumed.Number("unique"));
        using var stats = new NsqdHttp(silo);
        Assert.Equal(0, (await stats.StatsAsync(topic)).ChannelCounter(topic, "c", "depth"));
    }

    [Fact]
    public async Task With_tls_required_true_plain_http_is_403_TLS_REQUIRED_and_https_serves_the_api()
    {
        var flags = TlsFlags("--tls-required");
        var httpsAddress = flags[Array.IndexOf(flags, "--https-address") + 1];
        await using var silo = await SiloProcess.StartAsync(flags);

        using var plain = new HttpClient();
        using var refused = await plain.GetAsync($"http://{silo.HttpAddress}/ping");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var httpsPort = httpsAddress[(httpsAddress.LastIndexOf(':') + 1)..];
        Assert.Equal($$"""{"message": "TLS_REQUIRED", "https_port": {{httpsPort}}}""", await refused.Content.ReadAsStringAsync());

        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => ThrowAwayCa.ChainsTo(certificate, _ca.Certificate),
        };
        using var https = new HttpClient(handler);
        Assert.Equal("OK", await https.GetStringAsync($"https://{httpsAddress}/ping"));
        var topic = Unique("https");
        using var published = await https.PostAsync($"https://{httpsAddress}/pub?topic={topic}", new StringContent("over https"));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
    }

    [Fact]
    public async Task A_failed_handshake_is_fatal_E_IDENTIFY_FAILED_and_another_client_is_unharmed()
    {
        await using var silo = await SiloProcess.StartAsync(TlsFlags());
        await using var broken = await V2Client.ConnectAsync(silo.TcpPort);

        await broken.Identify(new { feature_negotiation = true, tls_v1 = true });
        await broken.ReadFrameAsync("IDENTIFY answer");
        await broken.WriteAsync("this is not a TLS client hello\n\n\n\n"u8.ToArray());
        var error = await broken.ReadFrameAsync("the error after a broken handshake");
        Assert.True(error is { Type: FrameType.Error } && error.Text.StartsWith("E_IDENTIFY_FAILED IDENTIFY failed ", StringComparison.Ordinal),
            $"expected E_IDENTIFY_FAILED, got {error}");
        await broken.ExpectClosedAsync("closed after the failed handshake");

        await using var healthy = await V2Client.ConnectAsync(silo.TcpPort);
        await healthy.Identify(new { feature_negotiation = true, tls_v1 = true });
        await healthy.ReadFrameAsync("IDENTIFY answer");
        await healthy.UpgradeToTlsAsync(_ca.Certificate);
        await healthy.ExpectOkAsync("another client upgrades");
    }

    [Fact]
    public async Task With_require_verify_a_client_certificate_of_the_ca_is_taken_and_a_connection_without_one_is_refused()
    {
        await using var silo = await SiloProcess.StartAsync(TlsFlags("--tls-client-auth-policy=require-verify"));
        var topic = Unique("mtls");

        await using var anonymous = await V2Client.ConnectAsync(silo.TcpPort);
        await anonymous.Identify(new { feature_negotiation = true, tls_v1 = true });
        await anonymous.ReadFrameAsync("IDENTIFY answer");
        // Under TLS 1.3 the client's side of the handshake may finish before the server refuses the missing
        // certificate: either way the connection ends without an OK.
        Frame? afterHandshake;
        try
        {
            await anonymous.UpgradeToTlsAsync(_ca.Certificate);
            afterHandshake = await anonymous.ReadFrameAsync("what follows a handshake without a client certificate");
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            afterHandshake = null;
        }
        Assert.True(afterHandshake is null, $"expected the connection to end, got {afterHandshake}");

        await using var stranger = await V2Client.ConnectAsync(silo.TcpPort);
        await stranger.Pub(topic, "no TLS");
        await stranger.ExpectErrorAsync("E_INVALID cannot PUB in current state (TLS required)", "a client auth policy implies TLS required");

        var published = (await NodeScript.RunAsync("publish.js", "publish with a client certificate", ScriptTimeout,
            ("nsqd", silo.TcpAddress), ("topic", topic), ("count", 100), ("mode", "pub"), ("tls", true), ("tls-ca", _ca.CaFile),
            ("tls-cert", _ca.ClientCertFile), ("tls-key", _ca.ClientKeyFile))).EnsureOk();
        Assert.Equal(100, published.Number("published"));
    }

    [Theory]
    [InlineData("--tls-required", "cannot require TLS client connections without TLS key and cert")]
    [InlineData("--tls-client-auth-policy=require", "cannot require TLS client connections without TLS key and cert")]
    [InlineData("--tls-min-version=ssl3.0", "unknown tlsVersionOption \"ssl3.0\"")]
    public async Task A_tls_configuration_nsqd_refuses_stops_the_silo_at_start(string flag, string reason)
    {
        var error = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync(flag));
        Assert.Contains(reason, error.Output);
    }

    [Fact]
    public async Task A_certificate_file_that_cannot_be_read_stops_the_silo_naming_it()
    {
        var missing = Path.Combine(_ca.Folder, "missing.pem");
        var error = await Assert.ThrowsAsync<SiloExitedException>(() =>
            SiloProcess.StartAsync("--tls-cert", missing, "--tls-key", _ca.ServerKeyFile));
        Assert.Contains("failed to build TLS config - ", error.Output);
    }

    public void Dispose() => _ca.Dispose();
}
