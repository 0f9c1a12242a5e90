using System.Text.Json;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>nsqlookupd's TCP protocol (nsqlookupd 1.3.0: nsqlookupd/tcp.go, lookup_protocol_v1.go): the magic, the
/// replies' framing, IDENTIFY, REGISTER, UNREGISTER, PING, and every error, each of which closes the connection.</summary>
[Collection(LookupdCollection.Name)]
public sealed class LookupdTcpProtocolTests(LookupdFixture fixture)
{
    [Fact]
    public async Task Bad_magic_is_a_bare_E_BAD_PROTOCOL_and_closes()
    {
        await using var client = await fixture.ConnectAsync(sendMagic: false);
        await client.SendAsync("  V2");
        await client.ExpectFatalAsync("E_BAD_PROTOCOL");
    }

    [Fact]
    public async Task Close_before_the_magic_is_complete_gets_no_reply()
    {
        await using var client = await fixture.ConnectAsync(sendMagic: false);
        await client.SendAsync("  V");
        client.ShutdownSend();
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Ping_before_IDENTIFY_is_OK()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync("PING\n");
        await client.ExpectResponseAsync("OK");
        await client.SendAsync("PING with params\n");
        await client.ExpectResponseAsync("OK");
    }

    [Fact]
    public async Task Identify_answers_the_lookupds_identity_with_keys_sorted()
    {
        await using var client = await fixture.ConnectAsync();
        await client.IdentifyAsync(LookupdClient.IdentifyJson(LookupdFixture.NewName("identify")));
        var reply = await client.ReadResponseAsync();
        var json = JsonDocument.Parse(reply).RootElement;
        Assert.Equal(["broadcast_address", "hostname", "http_port", "tcp_port", "version"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(LookupdFixture.BroadcastAddress, json.GetProperty("broadcast_address").GetString());
        Assert.Equal(System.Net.Dns.GetHostName(), json.GetProperty("hostname").GetString());
        Assert.Equal(fixture.LookupdHttpPort, json.GetProperty("http_port").GetInt32());
        Assert.Equal(fixture.LookupdTcpPort, json.GetProperty("tcp_port").GetInt32());
        Assert.Equal("1.3.0", json.GetProperty("version").GetString());
        await client.SendAsync("PING\n");
        await client.ExpectResponseAsync("OK");
    }

    [Fact]
    public async Task Identify_again_is_fatal_E_INVALID()
    {
        await using var client = await fixture.IdentifiedAsync(LookupdFixture.NewName("identify-again"));
        await client.SendAsync("IDENTIFY\n");
        await client.ExpectFatalAsync("E_INVALID cannot IDENTIFY again");
    }

    [Theory]
    [InlineData("""{"tcp_port":4150,"http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":"a","http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":"a","tcp_port":4150,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":"a","tcp_port":4150,"http_port":4151}""")]
    [InlineData("""{"broadcast_address":"","tcp_port":4150,"http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":"a","tcp_port":null,"http_port":4151,"version":"1.3.0"}""")]
    [InlineData("null")]
    [InlineData("{}")]
    public async Task Identify_without_a_required_field_is_fatal_E_BAD_BODY_missing_fields(string json)
    {
        await using var client = await fixture.ConnectAsync();
        await client.IdentifyAsync(json);
        await client.ExpectFatalAsync("E_BAD_BODY IDENTIFY missing fields");
    }

    [Fact]
    public async Task Identify_keys_match_case_insensitively_as_in_go()
    {
        await using var client = await fixture.ConnectAsync();
        await client.IdentifyAsync("""{"BROADCAST_ADDRESS":"a","Tcp_Port":4150,"http_port":4151,"version":"1.3.0","extra":[1]}""");
        Assert.StartsWith("{", await client.ReadResponseAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("""{"broadcast_address":"a","tcp_port":"4150","http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":1,"tcp_port":4150,"http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{"broadcast_address":"a","tcp_port":4150.5,"http_port":4151,"version":"1.3.0"}""")]
    [InlineData("""{} {}""")]
    public async Task Identify_with_a_body_that_is_not_peer_info_is_fatal_E_BAD_BODY_decode(string json)
    {
        await using var client = await fixture.ConnectAsync();
        await client.IdentifyAsync(json);
        await client.ExpectFatalAsync("E_BAD_BODY IDENTIFY failed to decode JSON body");
    }

    [Fact]
    public async Task Identify_cut_in_its_size_is_fatal_E_BAD_BODY_failed_to_read_body_size()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync("IDENTIFY\n\0\0");
        client.ShutdownSend();
        await client.ExpectFatalAsync("E_BAD_BODY IDENTIFY failed to read body size");
    }

    [Fact]
    public async Task Identify_cut_in_its_body_is_fatal_E_BAD_BODY_failed_to_read_body()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync(LookupdClient.Identify("{\"broadcast_address\":\"a\"}")[..20]);
        client.ShutdownSend();
        await client.ExpectFatalAsync("E_BAD_BODY IDENTIFY failed to read body");
    }

    [Fact]
    public async Task Identify_with_a_negative_size_is_fatal_E_BAD_BODY_failed_to_read_body()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync([.. "IDENTIFY\n"u8, 0xFF, 0xFF, 0xFF, 0xFF]);
        await client.ExpectFatalAsync("E_BAD_BODY IDENTIFY failed to read body");
    }

    [Theory]
    [InlineData("REGISTER")]
    [InlineData("UNREGISTER")]
    public async Task Register_before_IDENTIFY_is_fatal_E_INVALID_client_must_IDENTIFY(string verb)
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync($"{verb} topic\n");
        await client.ExpectFatalAsync("E_INVALID client must IDENTIFY");
    }

    [Theory]
    [InlineData("REGISTER")]
    [InlineData("UNREGISTER")]
    public async Task Register_without_a_topic_is_fatal_E_INVALID_insufficient_params(string verb)
    {
        await using var client = await fixture.IdentifiedAsync(LookupdFixture.NewName("params"));
        await client.SendAsync($"{verb}\n");
        await client.ExpectFatalAsync($"E_INVALID {verb} insufficient number of params");
    }

    [Theory]
    [InlineData("REGISTER", "bad!topic", null, "E_BAD_TOPIC REGISTER topic name 'bad!topic' is not valid")]
    [InlineData("UNREGISTER", "bad!topic", null, "E_BAD_TOPIC UNREGISTER topic name 'bad!topic' is not valid")]
    [InlineData("REGISTER", "t", "bad?chan", "E_BAD_CHANNEL REGISTER channel name 'bad?chan' is not valid")]
    [InlineData("UNREGISTER", "t", "#ephemeral", "E_BAD_CHANNEL UNREGISTER channel name '#ephemeral' is not valid")]
    [InlineData("REGISTER", "0123456789012345678901234567890123456789012345678901234567890123456789", null,
        "E_BAD_TOPIC REGISTER topic name '0123456789012345678901234567890123456789012345678901234567890123456789' is not valid")]
    public async Task Register_of_an_invalid_name_is_fatal(string verb, string topic, string? channel, string error)
    {
        await using var client = await fixture.IdentifiedAsync(LookupdFixture.NewName("names"));
        await client.SendAsync(channel is null ? $"{verb} {topic}\n" : $"{verb} {topic} {channel}\n");
        await client.ExpectFatalAsync(error);
    }

    [Theory]
    [InlineData("NOP\n", "E_INVALID invalid command NOP")]
    [InlineData("ping\n", "E_INVALID invalid command ping")]
    [InlineData("\n", "E_INVALID invalid command ")]
    [InlineData("  \t\r\n", "E_INVALID invalid command ")]
    public async Task Unknown_command_is_fatal_E_INVALID_invalid_command(string line, string error)
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync(line);
        await client.ExpectFatalAsync(error);
    }

    [Fact]
    public async Task Surrounding_white_space_is_trimmed()
    {
        await using var client = await fixture.IdentifiedAsync(LookupdFixture.NewName("trim"));
        await client.SendAsync("  PING \r\n");
        await client.ExpectResponseAsync("OK");
        await client.SendAsync($"\tREGISTER {LookupdFixture.NewName("trim")} c \r\n");
        await client.ExpectResponseAsync("OK");
    }

    [Fact]
    public async Task A_line_cut_by_the_close_is_not_executed_and_gets_no_reply()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync("PING");
        client.ShutdownSend();
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Commands_split_byte_by_byte_are_answered_as_whole_ones()
    {
        await using var client = await fixture.ConnectAsync(sendMagic: false);
        var topic = LookupdFixture.NewName("split");
        byte[] session = [.. "  V1"u8, .. LookupdClient.Identify(LookupdClient.IdentifyJson(LookupdFixture.NewName("split"))),
            .. System.Text.Encoding.ASCII.GetBytes($"REGISTER {topic} c\nPING\n")];
        foreach (var b in session) await client.SendAsync([b]);
        Assert.StartsWith("{", await client.ReadResponseAsync());
        await client.ExpectResponseAsync("OK");
        await client.ExpectResponseAsync("OK");
    }

    [Fact]
    public async Task Commands_sent_in_one_write_are_answered_in_order()
    {
        await using var client = await fixture.ConnectAsync(sendMagic: false);
        var topic = LookupdFixture.NewName("pipelined");
        await client.SendAsync([.. "  V1PING\n"u8, .. LookupdClient.Identify(LookupdClient.IdentifyJson(LookupdFixture.NewName("pipelined"))),
            .. System.Text.Encoding.ASCII.GetBytes($"REGISTER {topic}\nUNREGISTER {topic}\nNOP\nPING\n")]);
        await client.ExpectResponseAsync("OK");
        Assert.StartsWith("{", await client.ReadResponseAsync());
        await client.ExpectResponseAsync("OK");
        await client.ExpectResponseAsync("OK");
        await client.ExpectFatalAsync("E_INVALID invalid command NOP");
    }

    [Fact]
    public async Task A_line_without_end_beyond_the_limit_closes_the_connection()
    {
        await using var client = await fixture.ConnectAsync();
        await client.SendAsync(new string('A', 5000));
        await client.ExpectClosedAsync();
    }
}
