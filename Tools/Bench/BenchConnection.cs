using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrleansNsq.Protocol;
using OrleansNsq.Protocol.Transport;
using OrleansNsq.Tools.Connection;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// A bare NSQ V2 connection for benchmarking: only the wire protocol, so the same run measures nsqd or OrleansNsq.
/// Frames are read from one large buffer; message frames are handed out as (id, body) spans. With the connection
/// flags it negotiates TLS, snappy or deflate and AUTH as any client does, to measure the same loads through them.
/// </summary>
internal sealed class BenchConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _readBuffer = new byte[1 << 20];
    private ClientLayers? _layers;
    private Stream _reading;
    private Stream _writing;
    private int _readStart;
    private int _readEnd;

    private BenchConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reading = _writing = _stream;
    }

    /// <summary>Sends commands: through the negotiated layers, flushed (a compressed layer sends on flush).</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> commands, CancellationToken cancellationToken)
    {
        await _writing.WriteAsync(commands, cancellationToken);
        if (_layers is not null) await _writing.FlushAsync(cancellationToken);
    }

    public static async Task<BenchConnection> ConnectAsync(string address, ConnectionSettings layers, CancellationToken cancellationToken)
    {
        var colon = address.LastIndexOf(':');
        var host = address[..colon];
        var port = int.Parse(address[(colon + 1)..]);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), port, cancellationToken);
        var connection = new BenchConnection(socket);
        try
        {
            if (layers == ConnectionSettings.Plain)
            {
                // magic + IDENTIFY without feature negotiation (as NSQ's bench tools): the answer is a plain OK.
                await connection.HelloAsync("{\"client_id\":\"bench\",\"hostname\":\"bench\",\"user_agent\":\"orleans-nsq-bench\"}"u8.ToArray(), cancellationToken);
                await connection.ExpectOkAsync(cancellationToken);
            }
            else
            {
                await connection.NegotiateAsync(host, layers, cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return connection;
    }

    private async Task HelloAsync(byte[] identify, CancellationToken cancellationToken)
    {
        var hello = new ArrayBufferWriter<byte>(256);
        CommandWriter.WriteMagic(hello);
        CommandWriter.WriteIdentify(hello, identify);
        await _stream.WriteAsync(hello.WrittenMemory, cancellationToken);
    }

    /// <summary>IDENTIFY with feature negotiation, then TLS, snappy or deflate and AUTH as the settings ask and nsqd
    /// grants them. Frames are read exactly until then: the first bytes of a compressed layer follow the answer at once.</summary>
    private async Task NegotiateAsync(string host, ConnectionSettings layers, CancellationToken cancellationToken)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("client_id"u8, "bench");
            writer.WriteString("hostname"u8, "bench");
            writer.WriteString("user_agent"u8, "orleans-nsq-bench");
            writer.WriteBoolean("feature_negotiation"u8, true);
            writer.WriteBoolean("tls_v1"u8, layers.Tls is not null);
            writer.WriteBoolean("snappy"u8, layers.Snappy);
            writer.WriteBoolean("deflate"u8, layers.Deflate);
            writer.WriteNumber("deflate_level"u8, layers.DeflateLevel);
            writer.WriteEndObject();
        }
        await HelloAsync(json.WrittenSpan.ToArray(), cancellationToken);
        var grant = IdentifyGrant.Parse(await ReadAnswerExactlyAsync(_stream, cancellationToken));
        _layers = await ClientLayers.NegotiateAsync(_stream, grant, layers.Tls, host, layers.DeflateLevel, ExpectOkExactlyAsync, cancellationToken);
        _reading = _layers.Reading;
        _writing = _layers.Writing;
        if (grant.AuthRequired)
        {
            if (layers.AuthSecret is null) throw new InvalidOperationException("nsqd requires AUTH: give --auth-secret");
            var auth = new ArrayBufferWriter<byte>(256);
            CommandWriter.WriteAuth(auth, Encoding.UTF8.GetBytes(layers.AuthSecret));
            await SendAsync(auth.WrittenMemory, cancellationToken);
            await ReadAnswerExactlyAsync(_reading, cancellationToken); // {"identity",…}
        }
    }

    private static async Task ExpectOkExactlyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var answer = await ReadAnswerExactlyAsync(stream, cancellationToken);
        if (!answer.AsSpan().SequenceEqual("OK"u8))
            throw new InvalidOperationException($"expected OK, got {Encoding.UTF8.GetString(answer)}");
    }

    /// <summary>One response frame read to its last byte and no further; an error frame throws.</summary>
    private static async Task<byte[]> ReadAnswerExactlyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[FrameReader.HeaderSize];
        await stream.ReadExactlyAsync(header, cancellationToken);
        if (!FrameReader.TryReadHeader(header, 1 << 20, out var size, out var type))
            throw new InvalidDataException($"the server sent a frame of invalid size {size + 4}");
        var data = new byte[size];
        await stream.ReadExactlyAsync(data, cancellationToken);
        if (type == FrameType.Error) throw new InvalidOperationException($"nsqd answered {Encoding.UTF8.GetString(data)}");
        return data;
    }

    /// <summary>A connection that has sent <c>SUB &lt;topic&gt; &lt;channel&gt;</c> (RDY still 0) and got its OK.</summary>
    public static async Task<BenchConnection> SubscribeAsync(string address, ConnectionSettings layers, string topic, string channel,
        CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(address, layers, cancellationToken);
        var sub = new ArrayBufferWriter<byte>(256);
        CommandWriter.WriteSub(sub, topic, channel);
        await connection.SendAsync(sub.WrittenMemory, cancellationToken);
        await connection.ExpectOkAsync(cancellationToken);
        return connection;
    }

    /// <summary>Waits for the next <c>OK</c>, skipping heartbeats; copies nothing (a synchronous publisher calls it per PUB).</summary>
    public async Task ExpectOkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (TryTakeFrame(out var type, out var start, out var length))
            {
                var data = Data(start, length);
                if (type == FrameType.Response && data.SequenceEqual("OK"u8)) return;
                if (type == FrameType.Response && data.SequenceEqual(FrameReader.Heartbeat)) continue;
                throw new InvalidOperationException($"expected OK, got frame type {type}: {Encoding.UTF8.GetString(data)}");
            }
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Takes one complete frame from the buffer if there is one; a size word no frame can have (or one the
    /// buffer cannot hold) ends the run.</summary>
    public bool TryTakeFrame(out FrameType type, out int dataStart, out int dataLength)
    {
        dataStart = dataLength = 0;
        type = default;
        var available = _readEnd - _readStart;
        if (available < FrameReader.HeaderSize) return false;
        if (!FrameReader.TryReadHeader(_readBuffer.AsSpan(_readStart), _readBuffer.Length - FrameReader.HeaderSize, out var size, out type))
            throw new InvalidDataException($"the server sent a frame of invalid size {size + 4}");
        if (available < FrameReader.HeaderSize + size) return false;
        dataStart = _readStart + FrameReader.HeaderSize;
        dataLength = size;
        _readStart += FrameReader.HeaderSize + size;
        return true;
    }

    /// <summary>The 16 id bytes of the message frame whose data is at <paramref name="start"/>.</summary>
    public ReadOnlySpan<byte> MessageId(int start, int length) =>
        FrameReader.TryReadMessage(Data(start, length), out _, out _, out var id, out _) ? id
            : throw new InvalidDataException("the server sent a message frame shorter than its header");

    /// <summary>The body of the message frame whose data is at <paramref name="start"/>.</summary>
    public ReadOnlySpan<byte> MessageBody(int start, int length) =>
        FrameReader.TryReadMessage(Data(start, length), out _, out _, out _, out var body) ? body
            : throw new InvalidDataException("the server sent a message frame shorter than its header");

    public ReadOnlySpan<byte> Data(int start, int length) => _readBuffer.AsSpan(start, length);

    public async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_readStart > 0)
        {
            Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, _readEnd - _readStart);
            _readEnd -= _readStart;
            _readStart = 0;
        }
        var read = await _reading.ReadAsync(_readBuffer.AsMemory(_readEnd), cancellationToken);
        if (read == 0) throw new EndOfStreamException("server closed the connection");
        _readEnd += read;
    }

    /// <summary>
    /// A subscriber's clean close, as NSQ clients do it: <c>CLS</c>, then every message that arrives before the
    /// <c>CLOSE_WAIT</c> response is given back with <c>REQ &lt;id&gt; 0</c>, so none waits out --msg-timeout in
    /// flight. Best effort within <paramref name="timeout"/>: a run that ends on its deadline may have cancelled a read.
    /// </summary>
    public async Task ClsAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            var commands = new ArrayBufferWriter<byte>(1 << 16);
            CommandWriter.WriteCls(commands);
            await SendAsync(commands.WrittenMemory, bound.Token);
            while (true)
            {
                commands.ResetWrittenCount();
                var closed = false;
                while (!closed && commands.WrittenCount < 1 << 16 && TryTakeFrame(out var type, out var start, out var length))
                {
                    if (type == FrameType.Message)
                    {
                        CommandWriter.WriteReq(commands, MessageId(start, length), 0);
                    }
                    else if (type == FrameType.Response && Data(start, length).SequenceEqual("CLOSE_WAIT"u8))
                    {
                        closed = true;
                    }
                }
                if (commands.WrittenCount > 0) await SendAsync(commands.WrittenMemory, bound.Token);
                if (closed) return;
                if (commands.WrittenCount == 0) await FillAsync(bound.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or InvalidOperationException or InvalidDataException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        if (_layers is not null) await _layers.DisposeAsync();
        await _stream.DisposeAsync();
    }
}
