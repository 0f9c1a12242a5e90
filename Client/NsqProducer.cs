using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansNsq.Client.Diagnostics;
using OrleansNsq.Client.Internal;

using OrleansNsq.Protocol;

namespace OrleansNsq.Client;

/// <summary>
/// Publishes to one nsqd over a small pool of connections (<see cref="NsqProducerOptions.ConnectionCount"/>), taken
/// round robin. Each connection pipelines: many PUB/MPUB/DPUB may be in flight on it, and nsqd's replies complete
/// them in order. A lost connection is dialled again by the next publish that picks it. Thread-safe.
/// </summary>
public sealed class NsqProducer : INsqProducer, IAsyncDisposable
{
    private readonly NsqProducerOptions _options;
    private readonly ILogger _logger;
    private readonly Slot[] _slots;
    private int _next = -1;
    private volatile bool _disposed;

    public NsqProducer(NsqProducerOptions options, ILogger<NsqProducer>? logger = null)
        : this(options, (ILogger?)logger)
    {
    }

    /// <summary>A producer that logs as its owner does (the consumer's dead-letter producers).</summary>
    internal NsqProducer(NsqProducerOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ConnectionCount, 1);
        NsqAddress.Parse(options.NsqdTcpAddress);
        _options = options;
        _logger = logger ?? NullLogger<NsqProducer>.Instance;
        _slots = Enumerable.Range(0, options.ConnectionCount).Select(_ => new Slot(this)).ToArray();
    }

    public NsqProducer(IOptions<NsqProducerOptions> options, ILogger<NsqProducer>? logger = null)
        : this(options.Value, logger)
    {
    }

    /// <summary>
    /// A pooled connection was made or lost, or a publish is about to dial a lost one again (the producer dials on
    /// demand, as go-nsq: no background reconnects, so <see cref="NsqConnectionStateChangedEventArgs.Delay"/> is zero).
    /// Raised on the thread that saw the change (keep handlers short; an exception they throw is logged and ignored).
    /// </summary>
    public event EventHandler<NsqConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Connections open now (for tests and health checks).</summary>
    public int OpenConnections => _slots.Count(s => s.Connection is { IsClosed: false });

    /// <summary>Opens every pooled connection now instead of on first use; fails if nsqd cannot be reached.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        foreach (var slot in _slots)
        {
            await GetConnectionAsync(slot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>PUB: one message. Throws <see cref="NsqErrorException"/> with nsqd's code (E_BAD_TOPIC, E_BAD_MESSAGE, E_PUB_FAILED…).</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var activity = ClientTelemetry.StartPublish(topic, "PUB", 1, _options.NsqdTcpAddress);
        body = WithEnvelope(body, activity);
        return SendAsync(activity, topic, "PUB", 1, (topic, body), static (output, s) => CommandWriter.WritePub(output, s.topic, s.body.Span), cancellationToken);
    }

    /// <summary>MPUB: several messages, queued all or none.</summary>
    public Task MultiPublishAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        var activity = ClientTelemetry.StartPublish(topic, "MPUB", bodies.Count, _options.NsqdTcpAddress);
        if (_options.TraceContextEnvelope)
        {
            bodies = bodies.Select(b => WithEnvelope(b, activity)).ToArray();
        }

        return SendAsync(activity, topic, "MPUB", bodies.Count, (topic, bodies), static (output, s) => CommandWriter.WriteMpub(output, s.topic, s.bodies), cancellationToken);
    }

    /// <summary>DPUB: one message delivered after <paramref name="delay"/> (whole milliseconds).</summary>
    public Task DeferredPublishAsync(string topic, TimeSpan delay, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var activity = ClientTelemetry.StartPublish(topic, "DPUB", 1, _options.NsqdTcpAddress);
        body = WithEnvelope(body, activity);
        return SendAsync(activity, topic, "DPUB", 1, (topic, ms: (long)delay.TotalMilliseconds, body),
            static (output, s) => CommandWriter.WriteDpub(output, s.topic, s.ms, s.body.Span), cancellationToken);
    }

    /// <summary>The body with the publish span's trace context in front (or the caller's, when nobody listens to the
    /// client's spans), when <see cref="NsqConnectionOptions.TraceContextEnvelope"/> is on.</summary>
    private ReadOnlyMemory<byte> WithEnvelope(ReadOnlyMemory<byte> body, Activity? activity) =>
        _options.TraceContextEnvelope ? TraceEnvelope.Wrap(body, activity?.Context ?? Activity.Current?.Context ?? default) : body;

    private async Task SendAsync<TState>(Activity? activity, string topic, string operation, int count, TState state, CommandBuilder<TState> command,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var slot = _slots[(int)((uint)Interlocked.Increment(ref _next) % (uint)_slots.Length)];
            var connection = await GetConnectionAsync(slot, cancellationToken).ConfigureAwait(false);
            var reply = await connection.CommandAsync(state, command, cancellationToken).ConfigureAwait(false);
            if (!reply.AsSpan().SequenceEqual("OK"u8))
            {
                throw new NsqConnectionException($"nsqd {connection.Address} answered '{System.Text.Encoding.UTF8.GetString(reply)}' instead of OK");
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            ClientTelemetry.EndPublish(activity, topic, operation, count, started, failure);
        }
    }

    private async ValueTask<NsqConnection> GetConnectionAsync(Slot slot, CancellationToken cancellationToken)
    {
        var connection = slot.Connection;
        if (connection is { IsClosed: false })
        {
            return connection;
        }

        await slot.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connection = slot.Connection;
            if (connection is { IsClosed: false })
            {
                return connection;
            }

            if (connection is not null || slot.FailedDials > 0)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }

                ClientLog.ProducerReconnecting(_logger, _options.NsqdTcpAddress);
                Raise(new(_options.NsqdTcpAddress, NsqConnectionState.Reconnecting, slot.LastError, slot.FailedDials + 1));
            }

            try
            {
                connection = await NsqConnection.ConnectAsync(_options.NsqdTcpAddress, _options, null, slot, _logger, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
            {
                slot.FailedDials++;
                slot.LastError = e;
                throw;
            }

            slot.FailedDials = 0;
            slot.LastError = null;
            slot.Connection = connection;
            Raise(new(_options.NsqdTcpAddress, NsqConnectionState.Connected, null));
            return connection;
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    /// <summary>Closes every connection; publishes still waiting for a reply fail with <see cref="NsqConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var slot in _slots)
        {
            await slot.Lock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (slot.Connection is { } connection)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    slot.Connection = null;
                }
            }
            finally
            {
                slot.Lock.Release();
            }
        }
    }

    private void Raise(NsqConnectionStateChangedEventArgs change)
    {
        ClientTelemetry.CountConnection(change.NsqdAddress, "producer", change.State);
        try
        {
            ConnectionStateChanged?.Invoke(this, change);
        }
        catch (Exception e)
        {
            ClientLog.StateHandlerFailed(_logger, e, change.NsqdAddress, change.State);
        }
    }

    /// <summary>One pooled connection; it hears its connection's close (a producer connection gets no messages, and
    /// nsqd answers every publish, so an error frame nobody waits for is only logged).</summary>
    private sealed class Slot(NsqProducer producer) : IFrameHandler
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public volatile NsqConnection? Connection;

        /// <summary>Dials that failed since the last success, and the last one's error (under <see cref="Lock"/>).</summary>
        public int FailedDials;
        public Exception? LastError;

        public void OnMessage(NsqConnection connection, byte[] frame)
        {
        }

        public void OnError(NsqConnection connection, NsqErrorException error) =>
            ClientLog.ErrorFrame(producer._logger, connection.Address, error.Message);

        public void OnClosed(NsqConnection connection, Exception? error)
        {
            if (ReferenceEquals(Connection, connection)) // not a dial that failed half way
            {
                LastError = error;
                producer.Raise(new(connection.Address, NsqConnectionState.Disconnected, error));
            }
        }
    }
}
