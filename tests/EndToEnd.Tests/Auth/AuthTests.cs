using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Auth;

/// <summary>
/// AUTH as nsqd does it with --auth-http-address, against a real Silo and an auth server inside the test: IDENTIFY says
/// auth_required, AUTH asks the server, SUB and the publishes need AUTH first and a grant that matches, an expired grant
/// is asked again, and the server's failures are E_AUTH_FAILED without their detail. Every refusal closes the connection.
/// </summary>
public sealed class AuthTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(150);

    private static string Unique(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..30];

    private static async Task<V2Client> IdentifiedAsync(SiloProcess silo)
    {
        var client = await V2Client.ConnectAsync(silo.TcpPort);
        await client.Identify(new { feature_negotiation = true });
        var answer = await client.ReadFrameAsync("IDENTIFY answer");
        Assert.NotNull(answer);
        using var json = JsonDocument.Parse(answer.Data);
        Assert.True(json.RootElement.GetProperty("auth_required").GetBoolean(), answer.Text);
        return client;
    }

    [Fact]
    public async Task Nsqjs_with_an_auth_secret_publishes_and_consumes_10000_messages_and_the_server_is_asked_with_nsqds_query()
    {
        const int count = 10_000;
        await using var auth = FakeAuthServer.Start();
        auth.Answer = q => q["secret"] == "s3cret" ? (200, FakeAuthServer.Grant(3600, ".*", [".*"], "subscribe", "publish")) : (403, "{}");
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);
        var topic = Unique("auth");
        using (var http = new NsqdHttp(silo))
        {
            // the HTTP API stays open, as in nsqd
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
        }

        await using var consumer = NodeScript.Start("consume.js", ScriptTimeout, ("nsqd", silo.TcpAddress), ("topic", topic),
            ("channel", "c"), ("expect", count), ("max-in-flight", 200), ("auth-secret", "s3cret"));
        var published = (await NodeScript.RunAsync("publish.js", "publish with AUTH", ScriptTimeout, ("nsqd", silo.TcpAddress),
            ("topic", topic), ("count", count), ("mode", "mixed"), ("auth-secret", "s3cret"))).EnsureOk();
        var consumed = (await consumer.CompleteAsync("consume with AUTH")).EnsureOk();
        output.WriteLine(published.ToString());
        output.WriteLine(consumed.ToString());

        Assert.Equal(count, published.Number("published"));
        Assert.Equal(count, consumed.Number("unique"));
        Assert.True(auth.Queries.TryPeek(out var query));
        Assert.Equal("127.0.0.1", query["remote_ip"]);
        Assert.Equal("false", query["tls"]);
        Assert.Equal("s3cret", query["secret"]);
        Assert.Equal("", query["common_name"]);
    }

    [Theory]
    [InlineData("PUB")]
    [InlineData("SUB")]
    public async Task A_command_before_AUTH_is_fatal_E_AUTH_FIRST(string verb)
    {
        await using var auth = FakeAuthServer.Start();
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);
        await using var client = await IdentifiedAsync(silo);

        if (verb == "PUB") await client.Pub(Unique("first"), "x");
        else await client.Sub(Unique("first"), "c");

        await client.ExpectErrorAsync($"E_AUTH_FIRST AUTH required before {verb}", $"{verb} before AUTH");
        await client.ExpectClosedAsync("closed");
        Assert.Empty(auth.Queries);
    }

    [Fact]
    public async Task Auth_answers_the_identity_and_a_command_outside_the_grant_is_fatal_E_UNAUTHORIZED()
    {
        await using var auth = FakeAuthServer.Start();
        auth.Answer = _ => (200, FakeAuthServer.Grant(3600, "^allowed", ["^c$"], "subscribe"));
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);

        await using var subscriber = await IdentifiedAsync(silo);
        await subscriber.Auth("secret");
        await subscriber.ExpectResponseAsync("""{"identity":"tester","identity_url":"http://auth.example/tester","permission_count":1}""", "AUTH answer");
        await subscriber.Sub("allowed-topic", "other");
        await subscriber.ExpectErrorAsync("E_UNAUTHORIZED AUTH failed for SUB on \"allowed-topic\" \"other\"", "SUB outside the grant");
        await subscriber.ExpectClosedAsync("closed");

        await using var publisher = await IdentifiedAsync(silo);
        await publisher.Auth("secret");
        await publisher.ReadFrameAsync("AUTH answer");
        await publisher.Pub("allowed-topic", "x");
        await publisher.ExpectErrorAsync("E_UNAUTHORIZED AUTH failed for PUB on \"allowed-topic\" \"\"", "PUB without publish permission");

        await using var allowed = await IdentifiedAsync(silo);
        await allowed.Auth("secret");
        await allowed.ReadFrameAsync("AUTH answer");
        await allowed.Sub("allowed-topic", "c");
        await allowed.ExpectOkAsync("SUB inside the grant");
    }

    [Fact]
    public async Task Auth_twice_is_fatal_and_a_grant_without_authorizations_is_E_UNAUTHORIZED()
    {
        await using var auth = FakeAuthServer.Start();
        auth.Answer = q => q["secret"] == "none"
            ? (200, """{"ttl":60,"identity":"nobody","authorizations":[]}""")
            : (200, FakeAuthServer.Grant(60, ".*", [".*"], "publish"));
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);

        await using var twice = await IdentifiedAsync(silo);
        await twice.Auth("ok");
        await twice.ReadFrameAsync("AUTH answer");
        await twice.Auth("ok");
        await twice.ExpectErrorAsync("E_INVALID AUTH already set", "a second AUTH");

        await using var nobody = await IdentifiedAsync(silo);
        await nobody.Auth("none");
        await nobody.ExpectErrorAsync("E_UNAUTHORIZED AUTH no authorizations found", "an empty grant");
    }

    [Theory]
    [InlineData("junk")]
    [InlineData("zero ttl")]
    [InlineData("unknown permission")]
    [InlineData("500")]
    [InlineData("down")]
    public async Task An_auth_server_that_fails_is_E_AUTH_FAILED_without_its_detail(string failure)
    {
        var auth = FakeAuthServer.Start();
        auth.Answer = _ => failure switch
        {
            "junk" => (200, "not json"),
            "zero ttl" => (200, """{"ttl":0,"authorizations":[{"topic":".*","channels":[".*"],"permissions":["publish"]}]}"""),
            "unknown permission" => (200, """{"ttl":60,"authorizations":[{"topic":".*","channels":[".*"],"permissions":["admin"]}]}"""),
            _ => (500, "{}"),
        };
        if (failure == "down") await auth.DisposeAsync();
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);
        await using var client = await IdentifiedAsync(silo);

        await client.Auth("secret");

        await client.ExpectErrorAsync("E_AUTH_FAILED AUTH failed", $"AUTH against an auth server that fails ({failure})");
        await client.ExpectClosedAsync("closed");
        await auth.DisposeAsync();
    }

    [Fact]
    public async Task An_expired_grant_is_asked_again_and_a_withdrawn_one_refuses_the_next_publish()
    {
        await using var auth = FakeAuthServer.Start();
        var granted = true;
        auth.Answer = _ => Volatile.Read(ref granted)
            ? (200, FakeAuthServer.Grant(1, ".*", [".*"], "publish"))
            : (200, FakeAuthServer.Grant(60, "^elsewhere$", [".*"], "publish"));
        await using var silo = await SiloProcess.StartAsync("--auth-http-address", auth.Address);
        var topic = Unique("ttl");
        await using var client = await IdentifiedAsync(silo);
        await client.Auth("secret");
        await client.ReadFrameAsync("AUTH answer");
        await client.Pub(topic, "granted");
        await client.ExpectOkAsync("PUB within the grant");

        // The grant lives one second: publish, each PUB awaiting its answer, until one is refused (the server was asked
        // again and withdrew it), within a bound.
        Volatile.Write(ref granted, false);
        Frame? refused = null;
        var bound = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; refused is null && bound.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            await client.Pub(topic, $"publish {i}");
            var frame = await client.ReadFrameAsync($"PUB {i} while the grant expires");
            if (frame is not { Type: FrameType.Response, Text: "OK" }) refused = frame;
        }

        Assert.True(refused is { Type: FrameType.Error } && refused.Text == $"E_UNAUTHORIZED AUTH failed for PUB on \"{topic}\" \"\"",
            $"expected E_UNAUTHORIZED once the grant expired, got {refused}");
        Assert.Equal(2, auth.Queries.Count);
    }
}
