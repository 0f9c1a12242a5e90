using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Statsd;

/// <summary>nsqd's --statsd-address: the node's /stats pushed as statsd lines over UDP, received here by a listener
/// of the test's own.</summary>
public sealed class StatsdTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Statsd_receives_the_topics_channels_and_memory_with_nsqds_names_in_packets_of_the_packet_size()
    {
        using var statsd = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var statsdPort = ((IPEndPoint)statsd.Client.LocalEndPoint!).Port;
        await using var silo = await SiloProcess.StartAsync(
            $"--statsd-address=127.0.0.1:{statsdPort}", "--statsd-interval=1s", "--broadcast-address=127.0.0.1",
            "--statsd-udp-packet-size=200");
        using var http = new NsqdHttp(silo);
        using var client = new HttpClient();
        var prefix = $"nsq.127_0_0_1_{silo.HttpPort}.";
        Assert.Equal($"\"{prefix}\"", await client.GetStringAsync($"http://{silo.HttpAddress}/config/statsd_prefix"));

        await http.CreateTopicAsync("statsd_t");
        await http.CreateChannelAsync("statsd_t", "c");
        await http.MpubAsync("statsd_t", [.. Enumerable.Range(0, 25).Select(i => $"m{i}")]);

        // message_count is a counter (the change per push): its sum over the pushes reaches what was published.
        var lines = new List<string>();
        var published = 0L;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (published < 25 || !lines.Any(l => l.StartsWith($"{prefix}mem.gc_runs:", StringComparison.Ordinal)))
        {
            UdpReceiveResult packet;
            try
            {
                packet = await statsd.ReceiveAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"statsd saw message_count {published} of 25 within 60 s; lines:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}{Environment.NewLine}{silo.OutputSince(0)}");
                return;
            }
            Assert.True(packet.Buffer.Length <= 200, $"a packet of {packet.Buffer.Length} bytes, above --statsd-udp-packet-size");
            var text = Encoding.UTF8.GetString(packet.Buffer);
            Assert.EndsWith("\n", text);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                lines.Add(line);
                if (line.StartsWith($"{prefix}topic.statsd_t.message_count:", StringComparison.Ordinal))
                    published += long.Parse(line[(line.IndexOf(':') + 1)..line.IndexOf('|')], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        output.WriteLine(string.Join(Environment.NewLine, lines.Take(40)));

        Assert.Equal(25, published);
        Assert.Contains(lines, l => l.StartsWith($"{prefix}topic.statsd_t.depth:", StringComparison.Ordinal) && l.EndsWith("|g", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{prefix}topic.statsd_t.channel.c.depth:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{prefix}topic.statsd_t.channel.c.clients:0|g", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{prefix}mem.heap_in_use_bytes:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_statsd_address_that_does_not_resolve_is_logged_and_the_node_serves_on()
    {
        await using var silo = await SiloProcess.StartAsync("--statsd-address=no-such-statsd.invalid:8125", "--statsd-interval=1s");

        await BoundedWait.UntilAsync("statsd address that does not resolve", "the error logged", TimeSpan.FromSeconds(60),
            () => Task.FromResult((silo.OutputSince(0).Contains("failed to create UDP socket to statsd(no-such-statsd.invalid:8125)", StringComparison.Ordinal), "log")));
        await using var client = await V2Client.ConnectAsync(silo.TcpPort);
        await client.Pub("statsd_unresolved", "still serving");
        await client.ExpectOkAsync("PUB while statsd cannot be reached");
        Assert.False(silo.HasExited);
    }
}
