using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Client.Internal;

/// <summary>What a connection hands to its owner: frames no pending command claimed, and its end.</summary>
internal interface IFrameHandler
{
    void OnMessage(NsqConnection connection, byte[] frame);

    void OnError(NsqConnection connection, NsqErrorException error);

    void OnClosed(NsqConnection connection, Exception? error);
}

/// <summary>
/// One TCP connection speaking V2: magic and IDENTIFY on connect, then a read loop that answers <c>_heartbeat_</c> with
/// NOP. Commands that nsqd answers (PUB, MPUB, DPUB, SUB, CLS) are pipelined: each enqueues its completion under the
/// write lock, and since nsqd answers in order, every response or error frame completes the oldest one. Frames nobody
/// waits for (messages, FIN/REQ/TOUCH errors) go to the <see cref="IFrameHandler"/>.
/// </summary>
internal sealed class NsqConnection : IAsyncDisposable
{
    private const int MaxFrameSize = 64 << 20;
    private static ReadOnlySpan<byte> Heartbeat => "_heartbeat_"u8;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<TaskCompletionSource<byte[]>> _pending = new();
    private readonly IFrameHandler? _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _readDeadline = new();
    private Task _readLoop = Task.CompletedTask;
    private TimeSpan _readTimeout = Timeout.InfiniteTimeSpan;
    private int _closed;

    private NsqConnection(string address, Socket socket, IFrameHandler? handler, ILogger logger)
    {
        Address = address;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new BufferedStream(_stream, 64 * 1024);
        _handler = handler;
        _logger = logger;
    }

    public string Address { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>nsqd's <c>max_rdy_count</c> from the IDENTIFY response (2500 when it sent plain OK).</summary>
    public int MaxRdyCount { get; private set; } = 2500;

    public static async Task<NsqConnection> ConnectAsync(
        string address, NsqConnectionOptions options, TimeSpan? msgTimeout, IFrameHandler? handler, ILogger logger, CancellationToken cancellationToken)
    {
        var (host, port) = NsqAddress.Parse(address);
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        dial.CancelAfter(options.DialTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        NsqConnection? connection = null;
        try
        {
            await socket.ConnectAsync(host, port, dial.Token);
            connection = new NsqConnection(address, socket, handler, logger);
            await connection.IdentifyAsync(options, msgTimeout, dial.Token);
            if (options.HeartbeatInterval > TimeSpan.Zero)
            {
                // nsqd's own rule: nothing received for two heartbeat intervals means the peer is gone
                connection._readTimeout = options.HeartbeatInterval * 2;
            }

            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (connection is null)
            {
                socket.Dispose();
            }
            else
            {
                await connection.DisposeAsync();
            }

            throw new NsqConnectionException($"cannot connect to nsqd {address}: {e.Message}", e);
        }
        catch
        {
            if (connection is null)
            {
                socket.Dispose();
            }
            else
            {
                await connection.DisposeAsync();
            }

            throw;
        }
    }

    private async Task IdentifyAsync(NsqConnectionOptions options, TimeSpan? msgTimeout, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object>
        {
            ["client_id"] = options.ClientId,
            ["hostname"] = options.Hostname,
            ["user_agent"] = options.UserAgent,
            ["feature_negotiation"] = true,
            ["heartbeat_interval"] = (int)options.HeartbeatInterval.TotalMilliseconds,
        };
        if (msgTimeout is { } timeout)
        {
            body["msg_timeout"] = (int)timeout.TotalMilliseconds;
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        await _stream.WriteAsync(Commands.Magic.ToArray(), cancellationToken);
        await _stream.WriteAsync(Commands.Identify(json), cancellationToken);

        while (true)
        {
            var (type, data) = await ReadFrameAsync(cancellationToken);
            if (type == 1)
            {
                throw NsqErrorException.FromFrame(data);
            }

            if (type != 0 || data.AsSpan().SequenceEqual(Heartbeat))
            {
                continue;
            }

            if (data.Length > 0 && data[0] == (byte)'{')
            {
                using var doc = JsonDocument.Parse(data);
                if (doc.RootElement.TryGetProperty("max_rdy_count", out var max) && max.TryGetInt32(out var value) && value > 0)
                {
                    MaxRdyCount = value;
                }
            }

            return; // JSON (feature negotiation) or plain OK from an old server; no upgrade was asked for
        }
    }

    private async Task<(int Type, byte[] Data)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[8];
        await _reader.ReadExactlyAsync(header, cancellationToken);
        var size = BinaryPrimitives.ReadInt32BigEndian(header);
        var type = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        if (size < 4 || size > MaxFrameSize)
        {
            throw new IOException($"nsqd {Address} sent a frame of invalid size {size}");
        }

        var data = size == 4 ? [] : new byte[size - 4];
        await _reader.ReadExactlyAsync(data, cancellationToken);
        return (type, data);
    }

    private async Task ReadLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                _readDeadline.CancelAfter(_readTimeout);
                var (type, data) = await ReadFrameAsync(_readDeadline.Token);
                switch (type)
                {
                    case 0 when data.AsSpan().SequenceEqual(Heartbeat):
                        await WriteAsync(Commands.Nop.ToArray(), CancellationToken.None);
                        break;
                    case 0:
                        if (_pending.TryDequeue(out var waiter))
                        {
                            waiter.TrySetResult(data);
                        }

                        break;
                    case 1:
                        var nsqError = NsqErrorException.FromFrame(data);
                        if (_pending.TryDequeue(out var failed))
                        {
                            // Every error nsqd answers to PUB, MPUB, DPUB, SUB or CLS is fatal: it closes the connection
                            // and never reads the commands pipelined behind. Close first, then complete the caller, so
                            // that its next command already sees the connection closed and redials.
                            _logger.LogDebug("nsqd {Address}: {Error}; the connection is closed", Address, nsqError.Message);
                            Close(null);
                            failed.TrySetException(nsqError);
                            return;
                        }
                        else
                        {
                            _handler?.OnError(this, nsqError);
                        }

                        break;
                    case 2:
                        _handler?.OnMessage(this, data);
                        break;
                    default:
                        throw new IOException($"nsqd {Address} sent unknown frame type {type}");
                }
            }
        }
        catch (OperationCanceledException) when (_readDeadline.IsCancellationRequested && !IsClosed)
        {
            error = new TimeoutException($"nothing received from nsqd {Address} for {_readTimeout.TotalSeconds:0.#} s (two heartbeat intervals)");
        }
        catch (Exception e)
        {
            // EOF, a reset, a bad frame, or our own Close disposing the stream under the read
            error = IsClosed ? null : e;
        }

        Close(error);
    }

    /// <summary>Writes a command nsqd does not answer on success (RDY, FIN, REQ, TOUCH, NOP).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            // Never cancelled half way: a partial command would desynchronise the stream.
            await _stream.WriteAsync(command, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw new NsqConnectionException($"connection to nsqd {Address} failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a command nsqd answers with one frame, and waits for that frame (an error frame throws).</summary>
    public async Task<byte[]> CommandAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            _pending.Enqueue(reply);
            await _stream.WriteAsync(command, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw new NsqConnectionException($"connection to nsqd {Address} failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }

        if (IsClosed)
        {
            FailPending(); // closed while we enqueued: nobody else will complete it
        }

        return await reply.Task.WaitAsync(cancellationToken);
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new NsqConnectionException($"connection to nsqd {Address} is closed");
        }
    }

    private void Close(Exception? error)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        if (error is not null)
        {
            _logger.LogWarning("nsqd {Address}: connection lost: {Error}", Address, error.Message);
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _stream.Dispose();
        FailPending();
        _handler?.OnClosed(this, error);
    }

    private void FailPending()
    {
        while (_pending.TryDequeue(out var waiter))
        {
            waiter.TrySetException(new NsqConnectionException($"connection to nsqd {Address} closed before the reply"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        await _readLoop;
        _readDeadline.Dispose();
    }
}
