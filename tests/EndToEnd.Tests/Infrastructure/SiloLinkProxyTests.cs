using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The partition proxy on its own, with this process as the client (its owner, found through /proc): a cut holds bytes
/// both ways and closes nothing, while another proxy's connection flows; a healed target gets what was held. "Nothing
/// arrived" is judged after the flowing connection's round trip, which passed the same proxy code later.
/// </summary>
public sealed class SiloLinkProxyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Cutting_a_process_holds_its_bytes_both_ways_without_a_close_while_another_link_flows()
    {
        await using var cut = await LinkAsync();
        await using var flowing = await LinkAsync();
        cut.Proxy.CutClientsOf(Environment.ProcessId);

        await cut.Client.SendAsync("to-server"u8.ToArray());
        await cut.Server.SendAsync("to-client"u8.ToArray());
        var serverRead = ReadAsync(cut.Server);
        var clientRead = ReadAsync(cut.Client);
        await flowing.Client.SendAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReadAsync(flowing.Server).WaitAsync(Bound));
        await flowing.Server.SendAsync("pong"u8.ToArray());
        Assert.Equal("pong", await ReadAsync(flowing.Client).WaitAsync(Bound));

        Assert.False(serverRead.IsCompleted, "the cut client's bytes (or a close) reached the server");
        Assert.False(clientRead.IsCompleted, "the server's bytes (or a close) reached the cut client");
        Assert.Contains("owner found at accept 1", cut.Proxy.Describe());
    }

    [Fact]
    public async Task A_healed_target_gets_what_was_held_while_it_was_cut()
    {
        await using var target = await LinkAsync();
        await using var flowing = await LinkAsync();
        target.Proxy.CutTarget();
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await late.ConnectAsync(new IPEndPoint(IPAddress.Loopback, target.Proxy.ListenPort));
        await late.SendAsync("held"u8.ToArray());
        var accepted = target.Listener.AcceptSocketAsync();
        await flowing.Client.SendAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReadAsync(flowing.Server).WaitAsync(Bound));
        Assert.False(accepted.IsCompleted, "a connection to the cut target was passed on");

        target.Proxy.HealTarget();
        using var server = await accepted.WaitAsync(Bound);
        Assert.Equal("held", await ReadAsync(server).WaitAsync(Bound));
    }

    private static async Task<string> ReadAsync(Socket socket)
    {
        var buffer = new byte[64];
        var read = await socket.ReceiveAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>A listener, a proxy in front of it, and one connection through the proxy (client end and server end).</summary>
    private static async Task<Link> LinkAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var proxy = SiloLinkProxy.Start(FreePorts.Take(1)[0], ((IPEndPoint)listener.LocalEndpoint).Port, () => [Environment.ProcessId]);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, proxy.ListenPort)).WaitAsync(Bound);
        var server = await listener.AcceptSocketAsync().WaitAsync(Bound);
        return new Link(listener, proxy, client, server);
    }

    private sealed record Link(TcpListener Listener, SiloLinkProxy Proxy, Socket Client, Socket Server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Server.Dispose();
            await Proxy.DisposeAsync();
            Listener.Stop();
        }
    }
}
