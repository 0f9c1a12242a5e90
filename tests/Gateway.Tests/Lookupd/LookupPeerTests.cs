using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Lookupd;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Tests.Http;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>--lookupd-tcp-address: this node registers its topics and channels with a lookupd as nsqd's lookupLoop
/// does. The lookupd here is the fixture's own TCP port, the registering node a second identity on its directory.</summary>
[Collection(LookupdCollection.Name)]
public sealed class LookupPeerTests(LookupdFixture fixture)
{
    [Fact]
    public async Task Peer_registers_topics_and_channels_keeps_them_current_and_leaves_on_stop()
    {
        var broadcast = LookupdFixture.NewName("peer");
        var topic = LookupdFixture.NewName("peer");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=first")).Is(200, "");
        var node = new NodeIdentity(broadcast, "peer-host", tcpPort: 6150, httpPort: 6151, DateTimeOffset.UtcNow);
        var options = Microsoft.Extensions.Options.Options.Create(new NsqdOptions { BroadcastAddress = broadcast });
        var peer = new LookupPeer($"127.0.0.1:{fixture.LookupdTcpPort}", fixture.Grains, node, options, TimeProvider.System, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = peer.RunAsync(stop.Token);

        await Eventually.UntilAsync("registered", async () => (await ProducerKeysAsync(broadcast)).Contains($"channel:{topic}:first"));
        Assert.Contains($"topic:{topic}:", await ProducerKeysAsync(broadcast));
        Assert.Equal(fixture.LookupdTcpPort, peer.Info!.TcpPort);
        Assert.Equal(LookupdFixture.BroadcastAddress, peer.Info.BroadcastAddress);
        var lookup = (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Json.GetProperty("producers").EnumerateArray()
            .Single(p => p.GetProperty("broadcast_address").GetString() == broadcast);
        Assert.Equal((6150, 6151, "peer-host"), (lookup.GetProperty("tcp_port").GetInt32(), lookup.GetProperty("http_port").GetInt32(), lookup.GetProperty("hostname").GetString()));

        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=second")).Is(200, "");
        await Eventually.UntilAsync("new channel registered", async () => (await ProducerKeysAsync(broadcast)).Contains($"channel:{topic}:second"));
        (await fixture.Nsqd.Post($"/channel/delete?topic={topic}&channel=first")).Is(200, "");
        await Eventually.UntilAsync("deleted channel unregistered", async () => !(await ProducerKeysAsync(broadcast)).Contains($"channel:{topic}:first"));
        (await fixture.Nsqd.Post($"/topic/delete?topic={topic}")).Is(200, "");
        await Eventually.UntilAsync("deleted topic unregistered", async () => !(await ProducerKeysAsync(broadcast)).Contains($"topic:{topic}:"));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync("peer gone after stop", async () => !(await ProducerKeysAsync(broadcast)).Contains("client::"));
    }

    /// <summary>The /debug keys under which the peer with this broadcast address is a producer.</summary>
    private async Task<List<string>> ProducerKeysAsync(string broadcast)
    {
        var keys = new List<string>();
        foreach (var key in (await fixture.Lookupd.Get("/debug")).Json.EnumerateObject())
        {
            if (key.Value.EnumerateArray().Any(p => p.GetProperty("broadcast_address").GetString() == broadcast)) keys.Add(key.Name);
        }
        return keys;
    }
}
