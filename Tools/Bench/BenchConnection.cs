using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

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
        var identify = Encoding.ASCII.GetBytes("{\"client_id\":\"bench\",\"hostname\":\"bench\",\"user_agent\":\"orleans-nsq-bench\"}");
        var hello = new List<byte>();
        hello.AddRange("  V2"u8.ToArray());
        hello.AddRange("IDENTIFY\n"u8.ToArray());
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, identify.Length);
        hello.AddRange(size);
        hello.AddRange(identify);
        await connection._stream.WriteAsync(hello.ToArray(), cancellationToken);
        await connection.ExpectOkAsync(cancellationToken);
        return connection;
    }

    /// <summary>A connection that has sent <c>SUB &lt;topic&gt; &lt;channel&gt;</c> (RDY still 0) and got its OK.</summary>
    public static async Task<BenchConnection> SubscribeAsync(string address, string topic, string channel, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(address, cancellationToken);
        await connection._stream.WriteAsync(Encoding.ASCII.GetBytes($"SUB {topic} {channel}\n"), cancellationToken);
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
                if (type == 0 && data.SequenceEqual("OK"u8)) return;
                if (type == 0 && data.SequenceEqual("_heartbeat_"u8)) continue;
                throw new InvalidOperationException($"expected OK, got frame type {type}: {Encoding.UTF8.GetString(data)}");
            }
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Takes one complete frame from the buffer if there is one.</summary>
    public bool TryTakeFrame(out int type, out int dataStart, out int dataLength)
    {
        type = dataStart = dataLength = 0;
        var available = _readEnd - _readStart;
        if (available < 8) return false;
        var size = BinaryPrimitives.ReadInt32BigEndian(_readBuffer.AsSpan(_readStart));
        if (available < 4 + size) return false;
        type = BinaryPrimitives.ReadInt32BigEndian(_readBuffer.AsSpan(_readStart + 4));
        dataStart = _readStart + 8;
        dataLength = size - 4;
        _readStart += 4 + size;
        return true;
    }

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
            await _stream.WriteAsync("CLS\n"u8.ToArray(), bound.Token);
            var reqs = new byte[1 << 16];
            while (true)
            {
                var reqBytes = 0;
                var closed = false;
                while (!closed && reqBytes + RequeueSize <= reqs.Length && TryTakeFrame(out var type, out var start, out var length))
                {
                    if (type == 2)
                    {
                        WriteRequeue(reqs.AsSpan(reqBytes), Data(start + 10, 16));
                        reqBytes += RequeueSize;
                    }
                    else if (type == 0 && Data(start, length).SequenceEqual("CLOSE_WAIT"u8))
                    {
                        closed = true;
                    }
                }
                if (reqBytes > 0) await _stream.WriteAsync(reqs.AsMemory(0, reqBytes), bound.Token);
                if (closed) return;
                if (reqBytes == 0) await FillAsync(bound.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or InvalidOperationException)
        {
        }
    }

    /// <summary>"REQ " + 16-byte id + " 0\n".</summary>
    public const int RequeueSize = 23;

    public static void WriteRequeue(Span<byte> destination, ReadOnlySpan<byte> id)
    {
        "REQ "u8.CopyTo(destination);
        id.CopyTo(destination[4..]);
        " 0\n"u8.CopyTo(destination[20..]);
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
