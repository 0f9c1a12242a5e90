using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// A bare NSQ V2 connection for benchmarking: only the wire protocol, so the same run measures nsqd or OrleansNsq.
/// Frames are read from one large buffer; message frames are handed out as (id, body) spans.
/// </summary>
internal sealed class BenchConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _readBuffer = new byte[1 << 20];
    private int _readStart;
    private int _readEnd;

    private BenchConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public NetworkStream Stream => _stream;

    public static async Task<BenchConnection> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        var colon = address.LastIndexOf(':');
        var host = address[..colon];
        var port = int.Parse(address[(colon + 1)..]);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), port, cancellationToken);
        var connection = new BenchConnection(socket);
        // magic + IDENTIFY without feature negotiation (as NSQ's bench tools): the answer is a plain OK.
        var hello = new ArrayBufferWriter<byte>(256);
        CommandWriter.WriteMagic(hello);
        CommandWriter.WriteIdentify(hello, "{\"client_id\":\"bench\",\"hostname\":\"bench\",\"user_agent\":\"orleans-nsq-bench\"}"u8);
        await connection._stream.WriteAsync(hello.WrittenMemory, cancellationToken);
        await connection.ExpectOkAsync(cancellationToken);
        return connection;
    }

    /// <summary>A connection that has sent <c>SUB &lt;topic&gt; &lt;channel&gt;</c> (RDY still 0) and got its OK.</summary>
    public static async Task<BenchConnection> SubscribeAsync(string address, string topic, string channel, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(address, cancellationToken);
        var sub = new ArrayBufferWriter<byte>(256);
        CommandWriter.WriteSub(sub, topic, channel);
        await connection._stream.WriteAsync(sub.WrittenMemory, cancellationToken);
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
        var read = await _stream.ReadAsync(_readBuffer.AsMemory(_readEnd), cancellationToken);
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
            await _stream.WriteAsync(commands.WrittenMemory, bound.Token);
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
                if (commands.WrittenCount > 0) await _stream.WriteAsync(commands.WrittenMemory, bound.Token);
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
        await _stream.DisposeAsync();
    }
}
