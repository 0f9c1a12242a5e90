using System.Text.Json;
using OrleansNsq.Gateway.Tests.Http;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>nsqd nodes registered over the lookupd TCP port, as the lookupd HTTP API shows them after this node
/// (nsqlookupd/http.go and registration_db.go: /lookup, /nodes, /topics, /channels, /debug, tombstones, deletes).</summary>
[Collection(LookupdCollection.Name)]
public sealed class LookupdHttpMergeTests(LookupdFixture fixture)
{
    private static string Peer(LookupdClient client, string broadcast, int tcpPort = 4150, int httpPort = 4151) =>
        $$"""{"remote_address":"{{client.LocalAddress}}","hostname":"nsqd-host","broadcast_address":"{{broadcast}}","tcp_port":{{tcpPort}},"http_port":{{httpPort}},"version":"1.3.0"}""";

    [Fact]
    public async Task Registered_nsqd_is_a_producer_in_lookup_with_its_channels()
    {
        var broadcast = LookupdFixture.NewName("lookup-peer");
        var topic = LookupdFixture.NewName("lookup");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic, "c");
        await nsqd.ExpectResponseAsync("OK");
        var reply = await fixture.Lookupd.Get($"/lookup?topic={topic}");
        reply.Is(200, $$"""{"channels":["c"],"producers":[{{Peer(nsqd, broadcast)}}]}""");
        Assert.Equal("nsq; version=1.0", reply.NsqContentType);
    }

    [Fact]
    public async Task Lookup_lists_this_node_first_then_every_registered_nsqd()
    {
        var topic = LookupdFixture.NewName("lookup-many");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        var first = LookupdFixture.NewName("first");
        var second = LookupdFixture.NewName("second");
        await using var a = await fixture.IdentifiedAsync(first);
        await using var b = await fixture.IdentifiedAsync(second, 5150, 5151);
        await a.RegisterAsync(topic);
        await a.ExpectResponseAsync("OK");
        await b.RegisterAsync(topic);
        await b.ExpectResponseAsync("OK");
        var producers = (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Json.GetProperty("producers").EnumerateArray()
            .Select(p => p.GetProperty("broadcast_address").GetString()!).ToArray();
        Assert.Equal([LookupdFixture.BroadcastAddress, first, second], producers);
    }

    [Fact]
    public async Task Nodes_lists_a_registered_nsqd_with_its_topics_and_tombstones_of_equal_length()
    {
        var broadcast = LookupdFixture.NewName("nodes-peer");
        var one = LookupdFixture.NewName("nodes-one");
        var two = LookupdFixture.NewName("nodes-two");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(one);
        await nsqd.ExpectResponseAsync("OK");
        await nsqd.RegisterAsync(two, "c");
        await nsqd.ExpectResponseAsync("OK");
        var node = await NodeAsync(broadcast);
        Assert.NotNull(node);
        var peer = Peer(nsqd, broadcast);
        Assert.Equal($$"""{{peer[..^1]}},"tombstones":[false,false],"topics":["{{one}}","{{two}}"]}""", node.Value.GetRawText());
    }

    [Fact]
    public async Task Topics_and_channels_include_the_registered_ones()
    {
        var topic = LookupdFixture.NewName("topics");
        await using var nsqd = await fixture.IdentifiedAsync(LookupdFixture.NewName("topics-peer"));
        await nsqd.RegisterAsync(topic, "one");
        await nsqd.ExpectResponseAsync("OK");
        await nsqd.RegisterAsync(topic, "two");
        await nsqd.ExpectResponseAsync("OK");
        Assert.Contains(topic, (await fixture.Lookupd.Get("/topics")).Json.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        (await fixture.Lookupd.Get($"/channels?topic={topic}")).Is(200, """{"channels":["one","two"]}""");
    }

    [Fact]
    public async Task Unregister_of_a_channel_keeps_its_key_unless_it_is_ephemeral()
    {
        var topic = LookupdFixture.NewName("unregister-channel");
        await using var nsqd = await fixture.IdentifiedAsync(LookupdFixture.NewName("unregister-channel"));
        foreach (var channel in new[] { "kept", "gone#ephemeral" })
        {
            await nsqd.RegisterAsync(topic, channel);
            await nsqd.ExpectResponseAsync("OK");
            await nsqd.UnregisterAsync(topic, channel);
            await nsqd.ExpectResponseAsync("OK");
        }
        (await fixture.Lookupd.Get($"/channels?topic={topic}")).Is(200, """{"channels":["kept"]}""");
    }

    [Fact]
    public async Task Unregister_of_a_topic_drops_the_producer_and_keeps_the_keys()
    {
        var broadcast = LookupdFixture.NewName("unregister-topic");
        var topic = LookupdFixture.NewName("unregister-topic");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic, "c");
        await nsqd.ExpectResponseAsync("OK");
        await nsqd.UnregisterAsync(topic);
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":["c"],"producers":[]}""");
        Assert.Equal("[]", (await NodeAsync(broadcast))!.Value.GetProperty("topics").GetRawText());
        var debug = (await fixture.Lookupd.Get("/debug")).Json;
        Assert.False(debug.TryGetProperty($"channel:{topic}:c", out _), "the channel key has no producer left: /debug leaves it out");
    }

    [Fact]
    public async Task Unregister_of_an_ephemeral_topic_removes_it()
    {
        var topic = LookupdFixture.NewName("eph") + "#ephemeral";
        await using var nsqd = await fixture.IdentifiedAsync(LookupdFixture.NewName("eph"));
        await nsqd.RegisterAsync(topic);
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Get($"/lookup?topic={Uri.EscapeDataString(topic)}")).Json.GetProperty("producers").EnumerateArray().Single();
        await nsqd.UnregisterAsync(topic);
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Get($"/lookup?topic={Uri.EscapeDataString(topic)}")).Is(404, """{"message":"TOPIC_NOT_FOUND"}""");
    }

    [Fact]
    public async Task Closing_the_connection_removes_its_producers_and_keeps_the_keys()
    {
        var broadcast = LookupdFixture.NewName("close");
        var topic = LookupdFixture.NewName("close");
        var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic, "c");
        await nsqd.ExpectResponseAsync("OK");
        Assert.NotNull(await NodeAsync(broadcast));
        await nsqd.DisposeAsync();
        await Eventually.UntilAsync("producer gone after close", async () =>
            (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Body == """{"channels":["c"],"producers":[]}""" && await NodeAsync(broadcast) is null);
        Assert.Contains(topic, (await fixture.Lookupd.Get("/topics")).Json.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Tombstone_of_an_external_node_hides_it_from_lookup_and_marks_it_in_nodes()
    {
        var broadcast = LookupdFixture.NewName("tombstone");
        var topic = LookupdFixture.NewName("tombstone");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast, 4150, 4151);
        await nsqd.RegisterAsync(topic);
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Post($"/topic/tombstone?topic={topic}&node={broadcast}:4150")).Is(200, "");
        Assert.Single((await fixture.Lookupd.Get($"/lookup?topic={topic}")).Json.GetProperty("producers").EnumerateArray());
        (await fixture.Lookupd.Post($"/topic/tombstone?topic={topic}&node={broadcast}:4151")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":[],"producers":[]}""");
        Assert.Equal("[true]", (await NodeAsync(broadcast))!.Value.GetProperty("tombstones").GetRawText());
        var debug = (await fixture.Lookupd.Get("/debug")).Json.GetProperty($"topic:{topic}:").EnumerateArray().Single();
        Assert.True(debug.GetProperty("tombstoned").GetBoolean());
    }

    [Fact]
    public async Task Debug_lists_the_nsqd_under_client_topic_and_channel_keys()
    {
        var broadcast = LookupdFixture.NewName("debug");
        var topic = LookupdFixture.NewName("debug");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic, "c");
        await nsqd.ExpectResponseAsync("OK");
        var debug = (await fixture.Lookupd.Get("/debug")).Json;
        Assert.Contains(debug.GetProperty("client::").EnumerateArray(), p => p.GetProperty("broadcast_address").GetString() == broadcast);
        foreach (var key in new[] { $"topic:{topic}:", $"channel:{topic}:c" })
        {
            var producer = debug.GetProperty(key).EnumerateArray().Single();
            Assert.Equal(["id", "hostname", "broadcast_address", "tcp_port", "http_port", "version", "last_update", "tombstoned", "tombstoned_at"],
                producer.EnumerateObject().Select(p => p.Name));
            Assert.Equal(nsqd.LocalAddress, producer.GetProperty("id").GetString());
            Assert.False(producer.GetProperty("tombstoned").GetBoolean());
            Assert.Equal(-6795364578871345152, producer.GetProperty("tombstoned_at").GetInt64());
        }
    }

    [Fact]
    public async Task Topic_and_channel_delete_remove_registered_keys()
    {
        var topic = LookupdFixture.NewName("delete");
        await using var nsqd = await fixture.IdentifiedAsync(LookupdFixture.NewName("delete"));
        await nsqd.RegisterAsync(topic, "one");
        await nsqd.ExpectResponseAsync("OK");
        await nsqd.RegisterAsync(topic, "two");
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Post($"/channel/delete?topic={topic}&channel=one")).Is(200, "");
        (await fixture.Lookupd.Post($"/channel/delete?topic={topic}&channel=one")).Is(404, """{"message":"CHANNEL_NOT_FOUND"}""");
        (await fixture.Lookupd.Get($"/channels?topic={topic}")).Is(200, """{"channels":["two"]}""");
        (await fixture.Lookupd.Post($"/topic/delete?topic={topic}")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(404, """{"message":"TOPIC_NOT_FOUND"}""");
    }

    [Fact]
    public async Task A_reactivated_registration_grain_gets_the_connections_registrations_back_on_its_next_PING()
    {
        var broadcast = LookupdFixture.NewName("restore");
        var topic = LookupdFixture.NewName("restore");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic, "c");
        await nsqd.ExpectResponseAsync("OK");
        await fixture.Grains.ExternalProducers().AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.UntilAsync("registration grain reactivated empty", async () =>
            (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Code == 404);
        await nsqd.SendAsync("PING\n");
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, $$"""{"channels":["c"],"producers":[{{Peer(nsqd, broadcast)}}]}""");
    }

    private async Task<JsonElement?> NodeAsync(string broadcast)
    {
        var producers = (await fixture.Lookupd.Get("/nodes")).Json.GetProperty("producers");
        foreach (var node in producers.EnumerateArray())
        {
            if (node.GetProperty("broadcast_address").GetString() == broadcast) return node.Clone();
        }
        return null;
    }
}

/// <summary>--inactive-producer-timeout: an nsqd whose last IDENTIFY or PING is older is left out of /lookup and
/// /nodes, and stays in /debug (nsqlookupd filters, it does not remove).</summary>
public sealed class LookupdInactiveProducerTests(InactiveLookupdFixture fixture) : IClassFixture<InactiveLookupdFixture>
{
    [Fact]
    public async Task Inactive_nsqd_is_left_out_of_lookup_and_nodes_but_not_debug()
    {
        var broadcast = LookupdFixture.NewName("inactive");
        var topic = LookupdFixture.NewName("inactive");
        await using var nsqd = await fixture.IdentifiedAsync(broadcast);
        await nsqd.RegisterAsync(topic);
        await nsqd.ExpectResponseAsync("OK");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":[],"producers":[]}""");
        Assert.DoesNotContain(broadcast, (await fixture.Lookupd.Get("/nodes")).Body);
        Assert.Contains(broadcast, (await fixture.Lookupd.Get("/debug")).Json.GetProperty($"topic:{topic}:").GetRawText());
    }
}

/// <summary>A bounded poll for what happens after the test's last action on another thread (a server noticing a
/// close); the failure names the phase.</summary>
internal static class Eventually
{
    public static async Task UntilAsync(string phase, Func<Task<bool>> condition, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"phase '{phase}': not true within {seconds} s");
            await Task.Delay(50);
        }
    }
}
