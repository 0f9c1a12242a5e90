using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace OrleansNsq.Gateway.Tests.Connections;

/// <summary>A frame as the server sent it.</summary>
public sealed record Frame(int Type, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);
    public long TimestampNs => BinaryPrimitives.ReadInt64BigEndian(Data);
    public ushort Attempts => BinaryPrimitives.ReadUInt16BigEndian(Data.AsSpan(8));
    public string Id => Encoding.ASCII.GetString(Data, 10, 16);
    public string Body => Encoding.UTF8.GetString(Data, 26, Data.Length - 26);
}

/// <summary>
/// A raw NSQ V2 client whose methods are the verbs (as nsqd's protocol_v2_test.go helpers): each writes exactly the
/// wire bytes; Expect* read frames with a bounded wait that names what was expected.
/// </summary>
public sealed class V2Client : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;

    private V2Client(Socket socket) => _socket = socket;

    /// <param name="receiveBufferSize">A small socket receive buffer lets a test fill the connection quickly (a
    /// client that does not read).</param>
    public static async Task<V2Client> ConnectAsync(int port, bool sendMagic = true, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size) socket.ReceiveBufferSize = size;
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var client = new V2Client(socket);
        if (sendMagic) await client.SendAsync("  V2"u8.ToArray());
        return client;
    }

    public Task SendAsync(byte[] bytes) => _socket.SendAsync(bytes);

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public static byte[] Sized(byte[] body)
    {
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed, body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    public static byte[] Command(string line, byte[]? body = null) =>
        body is null ? Encoding.ASCII.GetBytes(line + "\n") : [.. Encoding.ASCII.GetBytes(line + "\n"), .. Sized(body)];

    public Task IdentifyAsync(string json) => SendAsync(Command("IDENTIFY", Encoding.UTF8.GetBytes(json)));
    public Task SubAsync(string topic, string channel) => SendAsync($"SUB {topic} {channel}\n");
    public Task RdyAsync(int count) => SendAsync($"RDY {count}\n");
    public Task FinAsync(string id) => SendAsync($"FIN {id}\n");
    public Task ReqAsync(string id, int ms) => SendAsync($"REQ {id} {ms}\n");
    public Task TouchAsync(string id) => SendAsync($"TOUCH {id}\n");
    public Task PubAsync(string topic, string body) => SendAsync(Command("PUB " + topic, Encoding.UTF8.GetBytes(body)));
    public Task DpubAsync(string topic, int ms, string body) => SendAsync(Command($"DPUB {topic} {ms}", Encoding.UTF8.GetBytes(body)));

    public Task MpubAsync(string topic, params string[] bodies)
    {
        var parts = new List<byte>();
        var count = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(count, bodies.Length);
        parts.AddRange(count);
        foreach (var body in bodies) parts.AddRange(Sized(Encoding.UTF8.GetBytes(body)));
        return SendAsync(Command("MPUB " + topic, [.. parts]));
    }

    /// <summary>The next frame, skipping heartbeats unless asked for; null when the server closed the connection.</summary>
    public async Task<Frame?> ReadFrameAsync(TimeSpan? wait = null, bool skipHeartbeats = true)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        while (true)
        {
            if (TryTake(out var frame))
            {
                if (skipHeartbeats && frame.Type == 0 && frame.Text == "_heartbeat_") continue;
                return frame;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a frame larger than the buffer
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no frame within {wait ?? DefaultWait}");
            }
            catch (SocketException)
            {
                return null;
            }
            if (read == 0) return null;
            _end += read;
        }
    }

    private bool TryTake(out Frame frame)
    {
        frame = null!;
        if (_end - _start < 8) return false;
        var size = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
        if (_end - _start < 4 + size) return false;
        var type = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start + 4));
        frame = new Frame(type, _buffer.AsSpan(_start + 8, size - 4).ToArray());
        _start += 4 + size;
        return true;
    }

    public async Task<Frame> ExpectFrameAsync(string what, TimeSpan? wait = null, bool skipHeartbeats = true)
    {
        Frame? frame;
        try
        {
            frame = await ReadFrameAsync(wait, skipHeartbeats);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"expected {what}, got nothing within {wait ?? DefaultWait}");
        }
        return frame ?? throw new Xunit.Sdk.XunitException($"expected {what}, the server closed the connection");
    }

    public async Task ExpectResponseAsync(string text)
    {
        var frame = await ExpectFrameAsync($"response {text}");
        Assert.Equal((0, text), (frame.Type, frame.Text));
    }

    public async Task ExpectErrorAsync(string text)
    {
        var frame = await ExpectFrameAsync($"error {text}");
        Assert.Equal((1, text), (frame.Type, frame.Text));
    }

    public async Task<Frame> ExpectMessageAsync(TimeSpan? wait = null)
    {
        var frame = await ExpectFrameAsync("a message", wait);
        Assert.True(frame.Type == 2, $"expected a message frame, got type {frame.Type}: {frame.Text}");
        return frame;
    }

    /// <summary>Nothing but heartbeats arrives for <paramref name="wait"/>.</summary>
    public async Task ExpectNothingAsync(TimeSpan wait)
    {
        try
        {
            var frame = await ReadFrameAsync(wait);
            Assert.Fail(frame is null ? "the server closed the connection" : $"expected nothing, got type {frame.Type}: {frame.Text}");
        }
        catch (TimeoutException)
        {
        }
    }

    public async Task ExpectClosedAsync()
    {
        var frame = await ReadFrameAsync();
        Assert.True(frame is null, frame is null ? "" : $"expected the connection to close, got type {frame.Type}: {frame.Text}");
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
