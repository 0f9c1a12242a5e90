using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansNsq.Protocol;
using OrleansNsq.Protocol.Transport;

namespace OrleansNsq.Client.Internal;

/// <summary>What a connection hands to its owner: frames no pending command claimed, and its end.</summary>
internal interface IFrameHandler
{
    void OnMessage(NsqConnection connection, byte[] frame);

    void OnError(NsqConnection connection, NsqErrorException error);

    void OnClosed(NsqConnection connection, Exception? error);
}

/// <summary>Writes one command into the connection's buffer (a static lambda over <typeparamref name="TState"/>: no
/// closure, no allocation).</summary>
internal delegate void CommandBuilder<TState>(IBufferWriter<byte> output, TState state);

/// <summary>
/// One TCP connection speaking V2: magic and IDENTIFY on connect, then a read loop that answers <c>_heartbeat_</c> with
/// NOP. Commands that nsqd answers (PUB, MPUB, DPUB, SUB, CLS) are pipelined: each enqueues its completion under the
/// write lock, and since nsqd answers in order, every response or error frame completes the oldest one. Frames nobody
/// waits for (messages, FIN/REQ/TOUCH errors) go to the <see cref="IFrameHandler"/>.
/// </summary>
internal sealed class NsqConnection : IAsyncDisposable
{
    private const int MaxFrameSize = 64 << 20;

    /// <summary>A command buffer grown past this by a large MPUB is let go after the write.</summary>
    private const int KeptCommandBufferSize = 1 << 20;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    // What commands go to and frames come from: the socket, or the layers IDENTIFY granted over it (TLS, then
    // snappy or deflate). Frames are read unbuffered until the upgrades are done (a compressed OK follows the
    // IDENTIFY answer at once: a buffer would swallow it below the new layer), then through a read buffer.
    private Stream _writer;
    private Stream _reader;
    private ClientLayers? _layers;
    private NsqErrorException? _fatalError; // the error frame nsqd closed the connection after
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Commands are written here under the write lock, then to the socket: one buffer per connection, reused.
    private ArrayBufferWriter<byte> _commands = new(4096);
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
        _writer = _stream;
        _reader = _stream;
        _handler = handler;
        _logger = logger;
    }

    public string Address { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>nsqd's <c>max_rdy_count</c> from the IDENTIFY response (2500 when it sent plain OK).</summary>
    public int MaxRdyCount { get; private set; } = 2500;

    /// <summary>nsqd's <c>msg_timeout</c> for this connection from the IDENTIFY response; null when it sent plain OK.</summary>
    public TimeSpan? MsgTimeout { get; private set; }

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
            await socket.ConnectAsync(host, port, dial.Token).ConfigureAwait(false);
            connection = new NsqConnection(address, socket, handler, logger);
            await connection.IdentifyAsync(options, host, msgTimeout, dial.Token).ConfigureAwait(false);
            if (options.HeartbeatInterval > TimeSpan.Zero)
            {
                // nsqd's own rule: nothing received for two heartbeat intervals means the peer is gone
                connection._readTimeout = options.HeartbeatInterval * 2;
            }

            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
                                      or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (connection is null)
            {
                socket.Dispose();
            }
            else
            {
                await connection.DisposeAsync().ConfigureAwait(false);
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
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private async Task IdentifyAsync(NsqConnectionOptions options, string host, TimeSpan? msgTimeout, CancellationToken cancellationToken)
    {
        if (options.Snappy && options.Deflate)
            throw new ArgumentException("snappy and deflate cannot be used together (nsqd refuses both)", nameof(options));
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("client_id"u8, options.ClientId);
            writer.WriteString("hostname"u8, options.Hostname);
            writer.WriteString("user_agent"u8, options.UserAgent);
            writer.WriteBoolean("feature_negotiation"u8, true);
            writer.WriteNumber("heartbeat_interval"u8, (int)options.HeartbeatInterval.TotalMilliseconds);
            if (msgTimeout is { } timeout)
            {
                writer.WriteNumber("msg_timeout"u8, (int)timeout.TotalMilliseconds);
            }

            writer.WriteBoolean("tls_v1"u8, options.Tls is not null);
            writer.WriteBoolean("snappy"u8, options.Snappy);
            writer.WriteBoolean("deflate"u8, options.Deflate);
            writer.WriteNumber("deflate_level"u8, options.DeflateLevel);
            writer.WriteEndObject();
        }

        CommandWriter.WriteMagic(_commands);
        CommandWriter.WriteIdentify(_commands, json.WrittenSpan);
        await _stream.WriteAsync(_commands.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _commands.ResetWrittenCount();

        var answer = await ReadAnswerAsync(cancellationToken).ConfigureAwait(false);
        if (answer.Length > 0 && answer[0] == (byte)'{')
        {
            await NegotiateAsync(options, host, answer, cancellationToken).ConfigureAwait(false);
        }
        // else a plain OK from an old server: nothing negotiated

        _reader = new BufferedStream(_reader, 64 * 1024);
    }

    /// <summary>The IDENTIFY answer's upgrades, in nsqd's order (TLS, then compression, each confirmed by an OK through
    /// the new layer), then AUTH when nsqd requires it.</summary>
    private async Task NegotiateAsync(NsqConnectionOptions options, string host, byte[] answer, CancellationToken cancellationToken)
    {
        var grant = IdentifyGrant.Parse(answer);
        MaxRdyCount = grant.MaxRdyCount;
        if (grant.MsgTimeoutMs > 0)
        {
            MsgTimeout = TimeSpan.FromMilliseconds(grant.MsgTimeoutMs);
        }

        _layers = await ClientLayers.NegotiateAsync(_stream, grant, options.Tls, host, options.DeflateLevel, ExpectOkAsync,
            cancellationToken).ConfigureAwait(false);
        _reader = _layers.Reading;
        _writer = _layers.Writing;

        if (grant.AuthRequired)
        {
            if (options.AuthSecret is null)
                throw new NsqConnectionException($"nsqd {Address} requires AUTH: set the auth secret");
            CommandWriter.WriteAuth(_commands, System.Text.Encoding.UTF8.GetBytes(options.AuthSecret));
            await _writer.WriteAsync(_commands.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            _commands.ResetWrittenCount();
            await ReadAnswerAsync(cancellationToken).ConfigureAwait(false); // {"identity",…}; refusals throw
        }
    }

    /// <summary>The next response frame (heartbeats skipped); an error frame throws it.</summary>
    private async Task<byte[]> ReadAnswerAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (type, data) = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (type == FrameType.Error)
            {
                throw NsqErrorException.FromFrame(data);
            }

            if (type == FrameType.Response && !data.AsSpan().SequenceEqual(FrameReader.Heartbeat))
            {
                return data;
            }
        }
    }

    /// <summary>The OK that confirms an upgrade, read through the new layer.</summary>
    private async Task ExpectOkAsync(Stream layer, CancellationToken cancellationToken)
    {
        _reader = layer;
        var answer = await ReadAnswerAsync(cancellationToken).ConfigureAwait(false);
        if (!answer.AsSpan().SequenceEqual("OK"u8))
            throw new IOException($"nsqd {Address} answered {System.Text.Encoding.UTF8.GetString(answer)} instead of OK after an upgrade");
    }

    private async Task<(FrameType Type, byte[] Data)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = new byte[FrameReader.HeaderSize];
        await _reader.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        if (!FrameReader.TryReadHeader(header, MaxFrameSize, out var dataSize, out var type))
        {
            throw new IOException($"nsqd {Address} sent a frame of invalid size {dataSize + 4}");
        }

        var data = dataSize == 0 ? [] : new byte[dataSize];
        await _reader.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
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
                var (type, data) = await ReadFrameAsync(_readDeadline.Token).ConfigureAwait(false);
                switch (type)
                {
                    case FrameType.Response when data.AsSpan().SequenceEqual(FrameReader.Heartbeat):
                        await WriteAsync(0, static (output, _) => CommandWriter.WriteNop(output), CancellationToken.None).ConfigureAwait(false);
                        break;
                    case FrameType.Response:
                        if (_pending.TryDequeue(out var waiter))
                        {
                            waiter.TrySetResult(data);
                        }

                        break;
                    case FrameType.Error:
                        var nsqError = NsqErrorException.FromFrame(data);
                        if (_pending.TryDequeue(out var failed))
                        {
                            // Every error nsqd answers to PUB, MPUB, DPUB, SUB or CLS is fatal: it closes the connection
                            // and never reads the commands pipelined behind. Close first, then complete the caller, so
                            // that its next command already sees the connection closed and redials.
                            // The commands pipelined behind fail for the same reason, named in their exception.
                            ClientLog.FatalErrorFrame(_logger, Address, nsqError.Message);
                            _fatalError = nsqError;
                            Close(null);
                            failed.TrySetException(nsqError);
                            return;
                        }
                        else
                        {
                            _handler?.OnError(this, nsqError);
                        }

                        break;
                    case FrameType.Message:
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
    public async ValueTask WriteAsync<TState>(TState state, CommandBuilder<TState> command, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            await WriteLockedAsync(state, command).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw WriteFailed(e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a command nsqd answers with one frame, and waits for that frame (an error frame throws).</summary>
    public async Task<byte[]> CommandAsync<TState>(TState state, CommandBuilder<TState> command, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed();
            _pending.Enqueue(reply);
            await WriteLockedAsync(state, command).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(e);
            throw WriteFailed(e);
        }
        finally
        {
            _writeLock.Release();
        }

        if (IsClosed)
        {
            FailPending(); // closed while we enqueued: nobody else will complete it
        }

        return await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Under the write lock: the command into the connection's buffer, then the buffer to the socket, never
    /// cancelled half way (a partial command would desynchronise the stream).</summary>
    private async ValueTask WriteLockedAsync<TState>(TState state, CommandBuilder<TState> command)
    {
        command(_commands, state);
        try
        {
            await _writer.WriteAsync(_commands.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
            if (!ReferenceEquals(_writer, _stream))
            {
                await _writer.FlushAsync(CancellationToken.None).ConfigureAwait(false); // a compressor or TLS sends on flush
            }
        }
        finally
        {
            if (_commands.Capacity > KeptCommandBufferSize)
            {
                _commands = new ArrayBufferWriter<byte>(4096);
            }
            else
            {
                _commands.ResetWrittenCount();
            }
        }
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
            ClientLog.ConnectionLost(_logger, Address, error.Message);
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        try
        {
            _layers?.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        _stream.Dispose();
        FailPending();
        _handler?.OnClosed(this, error);
    }

    /// <summary>A write that failed; when nsqd had closed the connection after an error frame, that error is named.</summary>
    private NsqConnectionException WriteFailed(Exception e) => _fatalError is { } fatal
        ? new NsqConnectionException($"connection to nsqd {Address} failed: {e.Message}, after {fatal.Message}", fatal)
        : new NsqConnectionException($"connection to nsqd {Address} failed: {e.Message}", e);

    private void FailPending()
    {
        while (_pending.TryDequeue(out var waiter))
        {
            waiter.TrySetException(_fatalError is { } fatal
                ? new NsqConnectionException($"connection to nsqd {Address} closed before the reply, after {fatal.Message}", fatal)
                : new NsqConnectionException($"connection to nsqd {Address} closed before the reply"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(null);
        await _readLoop.ConfigureAwait(false);
        _readDeadline.Dispose();
    }
}
