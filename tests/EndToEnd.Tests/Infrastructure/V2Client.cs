using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>Frame types of nsqd's TCP protocol V2 (`[u32 size][u32 frame type][data]`).</summary>
public enum FrameType
{
    Response = 0,
    Error = 1,
    Message = 2,
}

/// <summary>One server frame; <see cref="Text"/> is its data as UTF-8.</summary>
public sealed record Frame(FrameType Type, byte[] Data)
{
    public string Text => Encoding.UTF8.GetString(Data);

    public bool IsHeartbeat => Type == FrameType.Response && Text == "_heartbeat_";

    public override string ToString() => Type == FrameType.Message ? $"Message({Data.Length} bytes)" : $"{Type}({Text})";
}

/// <summary>A message frame's data: `[i64 timestamp ns][u16 attempts][16-byte id][body]`.</summary>
public sealed record NsqMessage(long Timestamp, int Attempts, string Id, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public static NsqMessage Parse(byte[] data) => new(
        BinaryPrimitives.ReadInt64BigEndian(data),
        BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(8)),
        Encoding.ASCII.GetString(data, 10, 16),
        data[26..]);
}

/// <summary>
/// A raw TCP protocol V2 client whose methods are the wire verbs, in the manner of nsqd's
/// protocol_v2_test.go: verbs only write, <c>Expect*</c> read one frame (skipping heartbeats) and
/// compare it exactly. Every read is bounded and its failure names the phase.
/// </summary>
public sealed class V2Client : IAsyncDisposable
{
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Magic = "  V2"u8.ToArray();

    private readonly TcpClient _tcp;
    // The socket's stream, or the layers over it after UpgradeToTlsAsync / CompressAsync: one to read, one to write.
    private Stream _reading;
    private Stream _writing;

    private V2Client(TcpClient tcp)
    {
        _tcp = tcp;
        _reading = _writing = tcp.GetStream();
    }

    /// <summary>The client side of the TLS upgrade after an IDENTIFY answered <c>tls_v1: true</c>: the handshake on the
    /// same connection, trusting <paramref name="ca"/> (and presenting <paramref name="clientCertificate"/>), then every
    /// later byte through TLS. The caller reads the server's <c>OK</c> next.</summary>
    public async Task UpgradeToTlsAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 ca,
        System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null)
    {
        var tls = new System.Net.Security.SslStream(_writing, leaveInnerStreamOpen: false);
        using var bound = new CancellationTokenSource(DefaultReadTimeout);
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, certificate, _, _) => OrleansNsq.Tests.Tls.ThrowAwayCa.ChainsTo(certificate, ca),
        }, bound.Token);
        _reading = _writing = tls;
    }

    /// <summary>The client side of snappy or deflate after an IDENTIFY that granted it: every later byte through the
    /// compressor (over TLS when that came first). The caller reads the server's <c>OK</c> next.</summary>
    public void Compress(string compression, int deflateLevel = 6)
    {
        var layer = compression == "snappy"
            ? OrleansNsq.Protocol.Transport.CompressionLayer.Snappy(_writing)
            : OrleansNsq.Protocol.Transport.CompressionLayer.Deflate(_writing, deflateLevel);
        _reading = layer.Reading;
        _writing = layer.Writing;
    }

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/> and, unless told otherwise, sends the magic `␠␠V2`.</summary>
    public static async Task<V2Client> ConnectAsync(int port, bool sendMagic = true)
    {
        var tcp = new TcpClient { NoDelay = true };
        using (var connect = new CancellationTokenSource(DefaultReadTimeout))
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, connect.Token);
        }

        var client = new V2Client(tcp);
        if (sendMagic)
        {
            await client.WriteAsync(Magic);
        }

        return client;
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        using var bound = new CancellationTokenSource(DefaultReadTimeout);
        await _writing.WriteAsync(bytes, bound.Token);
        await _writing.FlushAsync(bound.Token);
    }

    public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>`IDENTIFY\n[i32 n][JSON]`.</summary>
    public Task Identify(object body) => WriteAsync(Command("IDENTIFY", JsonSerializer.SerializeToUtf8Bytes(body)));

    /// <summary>`AUTH\n[i32 n][secret]`.</summary>
    public Task Auth(string secret) => WriteAsync(Command("AUTH", Encoding.UTF8.GetBytes(secret)));

    /// <summary>`SUB topic channel\n`.</summary>
    public Task Sub(string topic, string channel) => WriteAsync($"SUB {topic} {channel}\n");

    /// <summary>`RDY n\n`.</summary>
    public Task Rdy(int count) => WriteAsync($"RDY {count}\n");

    /// <summary>`PUB topic\n[i32 n][body]`.</summary>
    public Task Pub(string topic, string body) => WriteAsync(Command($"PUB {topic}", Encoding.UTF8.GetBytes(body)));

    /// <summary>`MPUB topic\n[i32 body size][i32 count]` then count × `[i32 n][bytes]`.</summary>
    public Task Mpub(string topic, IReadOnlyList<string> bodies)
    {
        var parts = bodies.Select(Encoding.UTF8.GetBytes).ToArray();
        var body = new byte[4 + parts.Sum(p => 4 + p.Length)];
        BinaryPrimitives.WriteInt32BigEndian(body, parts.Length);
        var at = 4;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(at), part.Length);
            part.CopyTo(body, at + 4);
            at += 4 + part.Length;
        }

        return WriteAsync(Command($"MPUB {topic}", body));
    }

    /// <summary>`FIN id\n`.</summary>
    public Task Fin(string id) => WriteAsync($"FIN {id}\n");

    /// <summary>`REQ id timeout_ms\n`.</summary>
    public Task Req(string id, int timeoutMs) => WriteAsync($"REQ {id} {timeoutMs}\n");

    /// <summary>`TOUCH id\n`.</summary>
    public Task Touch(string id) => WriteAsync($"TOUCH {id}\n");

    /// <summary>`NOP\n`.</summary>
    public Task Nop() => WriteAsync("NOP\n");

    /// <summary>`CLS\n`.</summary>
    public Task Cls() => WriteAsync("CLS\n");

    /// <summary>A command line followed by `[i32 size][body]`.</summary>
    public static byte[] Command(string line, byte[] body)
    {
        var head = Encoding.UTF8.GetBytes(line + "\n");
        var bytes = new byte[head.Length + 4 + body.Length];
        head.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(head.Length), body.Length);
        body.CopyTo(bytes, head.Length + 4);
        return bytes;
    }

    /// <summary>Reads the next frame, heartbeats included; null when the server closed the connection.</summary>
    public async Task<Frame?> ReadFrameAsync(string phase, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultReadTimeout;
        using var cts = new CancellationTokenSource(bound);
        try
        {
            var header = new byte[4];
            if (!await ReadExactlyOrEofAsync(header, cts.Token))
            {
                return null;
            }

            var size = BinaryPrimitives.ReadInt32BigEndian(header);
            if (size < 4 || size > 16 * 1024 * 1024)
            {
                throw new InvalidDataException($"phase '{phase}': frame size {size} is not a valid V2 frame size");
            }

            var rest = new byte[size];
            if (!await ReadExactlyOrEofAsync(rest, cts.Token))
            {
                throw new InvalidDataException($"phase '{phase}': connection closed inside a frame of size {size}");
            }

            return new Frame((FrameType)BinaryPrimitives.ReadInt32BigEndian(rest), rest[4..]);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"phase '{phase}': no frame within {bound.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Reads the next frame that is not a heartbeat; fails if the connection closes.</summary>
    public async Task<Frame> ExpectFrameAsync(string phase, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultReadTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var frame = await ReadFrameAsync(phase, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1))
                        ?? throw new Xunit.Sdk.XunitException($"phase '{phase}': the server closed the connection instead of sending a frame");
            if (!frame.IsHeartbeat)
            {
                return frame;
            }
        }
    }

    /// <summary>Expects the response frame `OK`.</summary>
    public Task ExpectOkAsync(string phase) => ExpectResponseAsync("OK", phase);

    /// <summary>Expects a response frame with exactly <paramref name="text"/>.</summary>
    public async Task ExpectResponseAsync(string text, string phase)
    {
        var frame = await ExpectFrameAsync(phase);
        Assert.True(frame.Type == FrameType.Response && frame.Text == text,
            $"phase '{phase}': expected response '{text}', got {frame}");
    }

    /// <summary>Expects an error frame whose data is exactly <paramref name="text"/> (e.g. `E_INVALID invalid command FOO`).</summary>
    public async Task ExpectErrorAsync(string text, string phase)
    {
        var frame = await ExpectFrameAsync(phase);
        Assert.True(frame.Type == FrameType.Error && frame.Text == text,
            $"phase '{phase}': expected error '{text}', got {frame}");
    }

    /// <summary>Expects a message frame.</summary>
    public async Task<NsqMessage> ExpectMessageAsync(string phase, TimeSpan? timeout = null)
    {
        var frame = await ExpectFrameAsync(phase, timeout);
        Assert.True(frame.Type == FrameType.Message, $"phase '{phase}': expected a message frame, got {frame}");
        return NsqMessage.Parse(frame.Data);
    }

    /// <summary>Expects the server to close the connection (heartbeats before the close are allowed); returns the heartbeats seen.</summary>
    public async Task<int> ExpectClosedAsync(string phase, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultReadTimeout;
        var deadline = DateTime.UtcNow + bound;
        var heartbeats = 0;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Frame? frame;
            try
            {
                frame = await ReadFrameAsync(phase, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"phase '{phase}': the connection was still open after {bound.TotalSeconds:0.#} s");
            }

            if (frame is null)
            {
                return heartbeats;
            }

            Assert.True(frame.IsHeartbeat, $"phase '{phase}': expected the connection to close, got {frame}");
            heartbeats++;
        }
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer, CancellationToken token)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _reading.ReadAsync(buffer.AsMemory(read), token);
            }
            catch (IOException e) when (e.InnerException is SocketException)
            {
                n = 0; // reset by peer counts as closed
            }

            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new InvalidDataException($"connection closed after {read} of {buffer.Length} bytes");
            }

            read += n;
        }

        return true;
    }

    /// <summary>Drops the connection without a goodbye (RST), as a crashed peer would.</summary>
    public void Abort()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Client.Close();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
