using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// Moving from nsqd one node at a time: silo A runs with <c>--lookupd-tcp-address</c> pointing to silo B's lookupd TCP
/// port, as an nsqd would, and B's lookupd HTTP API lists A as a producer of A's topics with their channels, until A
/// stops.
/// </summary>
public sealed class LookupdRegistrationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Silo_with_lookupd_tcp_address_is_a_producer_in_the_other_silos_lookupd_until_it_stops()
    {
        await using var b = await SiloProcess.StartAsync();
        var a = await SiloProcess.StartAsync("--lookupd-tcp-address", b.LookupdTcpAddress);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var topic = $"lookupd-reg-{Guid.NewGuid():N}";
        try
        {
            Assert.Equal($"[\"{b.LookupdTcpAddress}\"]", await http.GetStringAsync($"http://{a.HttpAddress}/config/nsqlookupd_tcp_addresses"));
            await PostOkAsync(http, $"http://{a.HttpAddress}/topic/create?topic={topic}");
            await PostOkAsync(http, $"http://{a.HttpAddress}/channel/create?topic={topic}&channel=first");
            await PostOkAsync(http, $"http://{a.HttpAddress}/channel/create?topic={topic}&channel=second");

            await BoundedWait.UntilAsync("A registered with B", $"B's /lookup?topic={topic} to list A (tcp_port {a.TcpPort}) with both channels", Wait, async () =>
            {
                var body = await http.GetStringAsync($"http://{b.LookupdHttpAddress}/lookup?topic={topic}");
                var json = JsonDocument.Parse(body).RootElement;
                var channels = json.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).Order().ToArray();
                var producer = IsProducer(json.GetProperty("producers"), a);
                return (producer && channels.SequenceEqual(["first", "second"]), body);
            }, () => a.OutputSince(0));

            var nodes = await http.GetStringAsync($"http://{b.LookupdHttpAddress}/nodes");
            var nodeA = JsonDocument.Parse(nodes).RootElement.GetProperty("producers").EnumerateArray()
                .Single(n => n.GetProperty("tcp_port").GetInt32() == a.TcpPort);
            Assert.Equal([topic], nodeA.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!));
            Assert.Equal("[false]", nodeA.GetProperty("tombstones").GetRawText());
            Assert.Equal(("127.0.0.1", a.HttpPort, "1.3.0"),
                (nodeA.GetProperty("broadcast_address").GetString(), nodeA.GetProperty("http_port").GetInt32(), nodeA.GetProperty("version").GetString()));
        }
        finally
        {
            await a.DisposeAsync();
        }

        await BoundedWait.UntilAsync("A gone from B", $"B's /lookup and /nodes without A (tcp_port {a.TcpPort})", Wait, async () =>
        {
            var lookup = await http.GetStringAsync($"http://{b.LookupdHttpAddress}/lookup?topic={topic}");
            var nodes = await http.GetStringAsync($"http://{b.LookupdHttpAddress}/nodes");
            var gone = !IsProducer(JsonDocument.Parse(lookup).RootElement.GetProperty("producers"), a)
                && !IsProducer(JsonDocument.Parse(nodes).RootElement.GetProperty("producers"), a);
            return (gone, lookup + " " + nodes);
        }, () => b.OutputSince(0));
        output.WriteLine("B's /lookup keeps the topic with no producer: " + await http.GetStringAsync($"http://{b.LookupdHttpAddress}/lookup?topic={topic}"));
    }

    [Fact]
    public async Task Broadcast_ports_are_what_lookupd_hands_out_while_info_keeps_the_ports_listened_on()
    {
        // As nsqd behind a port mapping: lookupd (ours, and the one this node registers with) lists the broadcast
        // ports; /info says where the node listens.
        await using var b = await SiloProcess.StartAsync();
        await using var a = await SiloProcess.StartAsync("--lookupd-tcp-address", b.LookupdTcpAddress,
            "--broadcast-tcp-port", "14150", "--broadcast-http-port", "14151", "--sync-every", "100", "--node-id", "7");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var topic = $"broadcast-ports-{Guid.NewGuid():N}";
        await PostOkAsync(http, $"http://{a.HttpAddress}/topic/create?topic={topic}");

        var info = JsonDocument.Parse(await http.GetStringAsync($"http://{a.HttpAddress}/info")).RootElement;
        Assert.Equal((a.TcpPort, a.HttpPort), (info.GetProperty("tcp_port").GetInt32(), info.GetProperty("http_port").GetInt32()));
        var own = JsonDocument.Parse(await http.GetStringAsync($"http://{a.LookupdHttpAddress}/lookup?topic={topic}")).RootElement;
        Assert.Equal([(14150, 14151)], own.GetProperty("producers").EnumerateArray()
            .Select(p => (p.GetProperty("tcp_port").GetInt32(), p.GetProperty("http_port").GetInt32())));
        await BoundedWait.UntilAsync("A registered with B", "B's /lookup to list A at its broadcast ports", Wait, async () =>
        {
            var body = await http.GetStringAsync($"http://{b.LookupdHttpAddress}/lookup?topic={topic}");
            var producers = JsonDocument.Parse(body).RootElement.GetProperty("producers").EnumerateArray();
            return (producers.Any(p => p.GetProperty("tcp_port").GetInt32() == 14150 && p.GetProperty("http_port").GetInt32() == 14151), body);
        }, () => a.OutputSince(0));

        // nsqd's flags with no meaning here start the node and say so once.
        Assert.Contains("-sync-every=100 is accepted as nsqd takes it, and ignored", a.OutputSince(0));
        Assert.Contains("-node-id=7 is accepted as nsqd takes it, and ignored", a.OutputSince(0));
    }

    private static bool IsProducer(JsonElement producers, SiloProcess silo) =>
        producers.EnumerateArray().Any(p => p.GetProperty("tcp_port").GetInt32() == silo.TcpPort && p.GetProperty("http_port").GetInt32() == silo.HttpPort);

    private static async Task PostOkAsync(HttpClient http, string url)
    {
        using var response = await http.PostAsync(url, null);
        Assert.True(response.IsSuccessStatusCode, $"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
