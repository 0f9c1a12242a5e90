using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>
/// A raw nsqlookupd TCP client playing nsqd (as nsqlookupd's lookup_protocol_v1_test.go does): the verbs write exact
/// wire bytes, <see cref="ReadResponseAsync"/> reads one <c>[i32 size][data]</c> reply with a bounded wait.
/// </summary>
public sealed class LookupdClient : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;

    private LookupdClient(Socket socket) => _socket = socket;

    public string LocalAddress => _socket.LocalEndPoint!.ToString()!;

    public static async Task<LookupdClient> ConnectAsync(int port, bool sendMagic = true)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var client = new LookupdClient(socket);
        if (sendMagic) await client.SendAsync("  V1"u8.ToArray());
        return client;
    }

    public static string IdentifyJson(string broadcastAddress, int tcpPort = 4150, int httpPort = 4151) =>
        $$"""{"broadcast_address":"{{broadcastAddress}}","hostname":"nsqd-host","tcp_port":{{tcpPort}},"http_port":{{httpPort}},"version":"1.3.0"}""";

    public static byte[] Identify(string json) => Identify(Encoding.UTF8.GetBytes(json));

    public static byte[] Identify(byte[] body)
    {
        var bytes = new byte[9 + 4 + body.Length];
        "IDENTIFY\n"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(9), body.Length);
        body.CopyTo(bytes, 13);
        return bytes;
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public Task IdentifyAsync(string json) => SendAsync(Identify(json));

    public Task RegisterAsync(string topic, string? channel = null) => SendAsync(channel is null ? $"REGISTER {topic}\n" : $"REGISTER {topic} {channel}\n");

    public Task UnregisterAsync(string topic, string? channel = null) => SendAsync(channel is null ? $"UNREGISTER {topic}\n" : $"UNREGISTER {topic} {channel}\n");

    /// <summary>Stops sending (half-close), as a peer that has said all it will.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async Task<string> ReadResponseAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var header = new byte[4];
        await ReadExactlyAsync(header, timeout.Token, "a response size");
        var data = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await ReadExactlyAsync(data, timeout.Token, "a response body");
        return Encoding.Latin1.GetString(data);
    }

    public async Task ExpectResponseAsync(string expected) => Assert.Equal(expected, await ReadResponseAsync());

    /// <summary>The reply, then the server's close (a read of 0 bytes).</summary>
    public async Task ExpectFatalAsync(string expected)
    {
        Assert.Equal(expected, await ReadResponseAsync());
        await ExpectClosedAsync();
    }

    public async Task ExpectClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var buffer = new byte[64];
        try
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.True(read == 0, $"expected the server to close; got {read} more bytes: {Encoding.Latin1.GetString(buffer, 0, read)}");
        }
        catch (SocketException)
        {
            // a reset is a close too
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"phase 'expect close': the server kept the connection open for {Wait.TotalSeconds} s");
        }
    }

    private async Task ReadExactlyAsync(byte[] buffer, CancellationToken cancellation, string what)
    {
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellation);
                if (n == 0) Assert.Fail($"phase 'read {what}': the server closed after {read} of {buffer.Length} bytes");
                read += n;
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"phase 'read {what}': nothing for {Wait.TotalSeconds} s ({read} of {buffer.Length} bytes)");
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
