using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansNsq.Client.Internal;

using OrleansNsq.Protocol;

namespace OrleansNsq.Client;

/// <summary>
/// Subscribes to one topic/channel on every nsqd it is given or finds through nsqlookupd, and runs the handler for
/// each message: FIN when it returns, REQ with a growing delay when it throws. Flow control is go-nsq's: MaxInFlight is
/// spread as RDY max(1, MaxInFlight / connections) per connection; with fewer in flight than connections RDY 1 rotates
/// among them. A failure puts the whole consumer in backoff (RDY 0 everywhere, then RDY 1 on one connection to test).
/// </summary>
public sealed partial class NsqConsumer : IAsyncDisposable
{
    private readonly NsqConsumerOptions _options;
    private readonly Func<NsqMessage, CancellationToken, Task> _handler;
    private readonly Channel<NsqMessage>? _stream;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ConsumerConnection> _connections = new();
    private readonly ConcurrentDictionary<string, byte> _connecting = new();
    private readonly HashSet<string> _direct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _reconnecting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _handlerCancel = new();
    private readonly object _rdyLock = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Task _background = Task.CompletedTask;
    private Task? _stopTask;
    private int _handlersRunning;
    private int _backoffLevel;
    private BackoffState _backoffState;
    private long _received;
    private long _finished;
    private long _requeued;
    private readonly TimeProvider _time;

    /// <summary>Milliseconds on the consumer's monotonic clock.</summary>
    private long NowMs => _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    /// <summary>A consumer of <see cref="NsqConsumerOptions.Topic"/>/<see cref="NsqConsumerOptions.Channel"/> that calls
    /// <paramref name="handler"/> for each message; <see cref="StartAsync"/> connects.</summary>
    /// <param name="options">Where to connect and how to consume.</param>
    /// <param name="handler">Called once per delivery; returning finishes the message and throwing requeues it, unless
    /// the handler disabled the automatic response and answers itself.</param>
    /// <param name="logger">Connection and handler events; nothing is logged when null.</param>
    /// <param name="timeProvider">The clock of reconnects, lookupd polls, RDY redistribution and backoff (tests pass a
    /// fake one); <see cref="TimeProvider.System"/> when null.</param>
    public NsqConsumer(NsqConsumerOptions options, Func<NsqMessage, CancellationToken, Task> handler, ILogger<NsqConsumer>? logger = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrEmpty(options.Topic);
        ArgumentException.ThrowIfNullOrEmpty(options.Channel);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlight, 0);
        if (options.NsqdTcpAddresses.Count == 0 && options.LookupdHttpAddresses.Count == 0)
        {
            throw new ArgumentException("give NsqdTcpAddresses, LookupdHttpAddresses or both", nameof(options));
        }

        _options = options;
        _handler = handler;
        _logger = logger ?? NullLogger<NsqConsumer>.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A consumer read as a stream: no handler, <see cref="ReadAllAsync"/> yields the messages and the reader
    /// answers each (FinishAsync or RequeueAsync). <see cref="StartAsync"/> connects.</summary>
    public NsqConsumer(NsqConsumerOptions options, ILogger<NsqConsumer>? logger = null, TimeProvider? timeProvider = null)
        : this(options, static (_, _) => Task.CompletedTask, logger, timeProvider)
    {
        _stream = Channel.CreateUnbounded<NsqMessage>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
        _handler = PassToReaderAsync;
    }

    public NsqConsumer(IOptions<NsqConsumerOptions> options, Func<NsqMessage, CancellationToken, Task> handler, ILogger<NsqConsumer>? logger = null,
        TimeProvider? timeProvider = null)
        : this(options.Value, handler, logger, timeProvider)
    {
    }

    private enum BackoffState
    {
        None,
        Paused,
        Testing,
    }

    /// <summary>The direct nsqd addresses of the options (those re-dialled when lost).</summary>
    public IReadOnlyCollection<string> DirectNsqds => [.. _options.NsqdTcpAddresses];

    /// <summary>nsqd addresses connected and subscribed now.</summary>
    public IReadOnlyCollection<string> ConnectedNsqds => _connections.Keys.ToArray();

    public long MessagesReceived => Interlocked.Read(ref _received);

    public long MessagesFinished => Interlocked.Read(ref _finished);

    public long MessagesRequeued => Interlocked.Read(ref _requeued);

    /// <summary>Messages received and not yet answered with FIN or REQ, over all connections.</summary>
    public int MessagesInFlight => _connections.Values.Sum(c => Volatile.Read(ref c.InFlight));

    /// <summary>True while failures hold RDY at 0 (or 1 on a single test connection).</summary>
    public bool IsInBackoff
    {
        get
        {
            lock (_rdyLock)
            {
                return _backoffState != BackoffState.None;
            }
        }
    }

    /// <summary>
    /// A connection to an nsqd was made, lost, or is about to be dialled again. Raised on the thread that saw the change
    /// (keep handlers short; an exception they throw is logged and ignored).
    /// </summary>
    public event EventHandler<NsqConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>
    /// Dials the direct nsqd addresses at once and asks lookupd once; then lookupd is polled and lost or refused direct
    /// nsqds are dialled again in the background (exponential backoff with jitter, <see
    /// cref="NsqConsumerOptions.ReconnectDelay"/>) until <see cref="StopAsync"/>. Throws only when no nsqd could be
    /// reached: direct addresses were given, every one refused, and lookupd (if given) led to no connection either.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        foreach (var address in _options.NsqdTcpAddresses)
        {
            NsqAddress.Parse(address);
            _direct.Add(address);
        }

        var refused = new ConcurrentDictionary<string, Exception>();
        await Task.WhenAll(_direct.Select(async address =>
        {
            try
            {
                await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
            {
                refused[address] = e;
                ClientLog.ReconnectFailed(_logger, address, e.Message);
            }
        })).ConfigureAwait(false);

        if (_options.LookupdHttpAddresses.Count > 0)
        {
            await QueryLookupdAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_direct.Count > 0 && refused.Count == _direct.Count && _connections.IsEmpty)
        {
            var first = refused[_options.NsqdTcpAddresses[0]];
            throw new NsqConnectionException(
                $"no nsqd of {_options.Topic}/{_options.Channel} could be reached: {string.Join("; ", refused.Values.Select(e => e.Message))}", first);
        }

        foreach (var (address, error) in refused)
        {
            StartReconnecting(address, error);
        }

        _background = Task.Run(() => BackgroundLoopAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task ConnectAsync(string address, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested || _connections.ContainsKey(address) || !_connecting.TryAdd(address, 0))
        {
            return;
        }

        try
        {
            var state = new ConsumerConnection(this, address);
            var connection = await NsqConnection.ConnectAsync(address, _options, _options.MsgTimeout, state, _logger, cancellationToken).ConfigureAwait(false);
            state.Connection = connection;
            try
            {
                await connection.CommandAsync((_options.Topic, _options.Channel),
                    static (output, s) => CommandWriter.WriteSub(output, s.Topic, s.Channel), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _connections[address] = state;
            if (connection.IsClosed)
            {
                // closed between SUB and here: OnClosed did not see it in the map
                _connections.TryRemove(new KeyValuePair<string, ConsumerConnection>(address, state));
                throw new NsqConnectionException($"connection to nsqd {address} closed right after SUB");
            }

            ClientLog.Subscribed(_logger, address, _options.Topic, _options.Channel);
            Raise(new(address, NsqConnectionState.Connected, null));
            UpdateRdy();
        }
        finally
        {
            _connecting.TryRemove(address, out _);
        }
    }

    private async Task BackgroundLoopAsync(CancellationToken stopping)
    {
        var nextLookup = _time.GetUtcNow() + _options.LookupdPollInterval;
        var nextRedistribute = _time.GetUtcNow() + _options.RdyRedistributeInterval;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(
            Math.Min(_options.LookupdPollInterval.TotalMilliseconds, _options.RdyRedistributeInterval.TotalMilliseconds) / 2, 20, 1000));
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, _time, stopping).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                if (_options.LookupdHttpAddresses.Count > 0 && now >= nextLookup)
                {
                    nextLookup = now + _options.LookupdPollInterval;
                    await QueryLookupdAsync(stopping).ConfigureAwait(false);
                }

                if (now >= nextRedistribute)
                {
                    nextRedistribute = now + _options.RdyRedistributeInterval;
                    RedistributeRdy();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClientLog.BackgroundStepFailed(_logger, e, _options.Topic, _options.Channel);
            }
        }
    }

    /// <summary>Dials a lost or refused direct nsqd again until it is connected or the consumer stops, waiting
    /// <see cref="ReconnectBackoff"/>'s delay before each dial. One loop per address at a time.</summary>
    private void StartReconnecting(string address, Exception? cause)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        lock (_reconnecting)
        {
            if (_reconnecting.TryGetValue(address, out var running) && !running.IsCompleted)
            {
                return;
            }

            _reconnecting[address] = Task.Run(() => ReconnectLoopAsync(address, cause, _stopping.Token), CancellationToken.None);
        }
    }

    private async Task ReconnectLoopAsync(string address, Exception? cause, CancellationToken stopping)
    {
        for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
        {
            var delay = ReconnectBackoff.Delay(attempt, _options.ReconnectDelay, _options.MaxReconnectDelay, Random.Shared.NextDouble());
            // the timer is armed before the event, so whoever hears it (a test's fake clock) may advance time at once
            var wait = Task.Delay(delay, _time, stopping);
            Raise(new(address, NsqConnectionState.Reconnecting, cause, attempt, delay));
            try
            {
                await wait.ConfigureAwait(false);
                await ConnectAsync(address, stopping).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
            {
                cause = e;
                ClientLog.ReconnectFailed(_logger, address, e.Message);
            }
        }
    }

    private void Raise(NsqConnectionStateChangedEventArgs change)
    {
        Diagnostics.ClientTelemetry.CountConnection(change.NsqdAddress, "consumer", change.State);
        try
        {
            ConnectionStateChanged?.Invoke(this, change);
        }
        catch (Exception e)
        {
            ClientLog.StateHandlerFailed(_logger, e, change.NsqdAddress, change.State);
        }
    }

    private async Task QueryLookupdAsync(CancellationToken cancellationToken)
    {
        var lookupd = new LookupdClient(_http);
        foreach (var lookupdAddress in _options.LookupdHttpAddresses)
        {
            IReadOnlyList<string> producers;
            try
            {
                producers = await lookupd.LookupAsync(lookupdAddress, _options.Topic, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ClientLog.LookupFailed(_logger, lookupdAddress, _options.Topic, e.Message);
                continue;
            }

            foreach (var address in producers)
            {
                try
                {
                    await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
                {
                    ClientLog.LookedUpNodeFailed(_logger, address, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// Graceful stop: CLS on every connection (nsqd sends no more), waits for the running handlers and their FIN/REQ,
    /// then closes. If <paramref name="cancellationToken"/> fires first, the handlers' token is cancelled and the
    /// connections are closed anyway (their unanswered messages time out on nsqd and are delivered again).
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_rdyLock)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] reconnecting;
        lock (_reconnecting)
        {
            reconnecting = [.. _reconnecting.Values];
        }

        try
        {
            await Task.WhenAll([_background, .. reconnecting]).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        using var clsTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        clsTimeout.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(_connections.Values.Select(async c =>
        {
            try
            {
                await c.Connection!.CommandAsync(0, static (output, _) => CommandWriter.WriteCls(output), clsTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NsqConnectionException or NsqErrorException or OperationCanceledException)
            {
                ClientLog.ClsFailed(_logger, c.Address, e.Message);
            }
        })).ConfigureAwait(false);

        try
        {
            while (Volatile.Read(ref _handlersRunning) > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
            }

            if (_stream is not null)
            {
                await EndStreamAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            ClientLog.StopCancelled(_logger, _options.Topic, _options.Channel, _handlersRunning);
            await _handlerCancel.CancelAsync().ConfigureAwait(false);
        }

        foreach (var connection in _connections.Values)
        {
            await connection.Connection!.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Clear();
        foreach (var producer in _deadLetterProducers.Values)
        {
            await producer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await StopAsync(bounded.Token).ConfigureAwait(false);
        _http.Dispose();
    }

    /// <summary>Requeue delay for a failed attempt: DefaultRequeueDelay × 2^(attempts−1), at most MaxRequeueDelay.</summary>
    internal TimeSpan RequeueDelay(int attempts)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ms = _options.DefaultRequeueDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxRequeueDelay.TotalMilliseconds));
    }

    private TimeSpan BackoffDuration(int level)
    {
        var ms = _options.BackoffMultiplier.TotalMilliseconds * Math.Pow(2, Math.Clamp(level - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxBackoffDuration.TotalMilliseconds));
    }

    /// <summary>go-nsq's startStopContinueBackoff: a success during the test step lowers the level, a failure raises it.</summary>
    private void OnResult(bool success)
    {
        if (_options.MaxBackoffDuration <= TimeSpan.Zero)
        {
            return;
        }

        lock (_rdyLock)
        {
            if (_backoffState == BackoffState.Paused || (success && _backoffLevel == 0))
            {
                return; // results of messages sent before the pause do not count
            }

            if (success)
            {
                _backoffLevel--;
            }
            else if (BackoffDuration(_backoffLevel) < _options.MaxBackoffDuration)
            {
                _backoffLevel++;
            }

            if (_backoffLevel == 0)
            {
                _backoffState = BackoffState.None;
                ClientLog.BackoffOver(_logger, _options.Topic, _options.Channel);
            }
            else
            {
                var duration = BackoffDuration(_backoffLevel);
                _backoffState = BackoffState.Paused;
                ClientLog.BackingOff(_logger, _options.Topic, _options.Channel, duration, _backoffLevel);
                _ = ResumeAfterAsync(duration);
            }
        }

        UpdateRdy();
    }

    private async Task ResumeAfterAsync(TimeSpan duration)
    {
        try
        {
            await Task.Delay(duration, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_rdyLock)
        {
            _backoffState = BackoffState.Testing;
        }

        UpdateRdy();
    }

    /// <summary>Sets every connection's RDY from MaxInFlight, the connection count and the backoff state.</summary>
    private void UpdateRdy()
    {
        var connections = _connections.Values.OrderBy(c => c.Address, StringComparer.Ordinal).ToArray();
        if (connections.Length == 0)
        {
            return;
        }

        lock (_rdyLock)
        {
            if (_stopping.IsCancellationRequested && _stopTask is not null)
            {
                return;
            }

            switch (_backoffState)
            {
                case BackoffState.Paused:
                    foreach (var c in connections)
                    {
                        c.SetRdy(0);
                    }

                    return;
                case BackoffState.Testing:
                    var tester = connections[Random.Shared.Next(connections.Length)];
                    foreach (var c in connections)
                    {
                        c.SetRdy(c == tester ? 1 : 0);
                    }

                    return;
            }

            var maxInFlight = _options.MaxInFlight;
            if (maxInFlight >= connections.Length)
            {
                var each = Math.Max(1, maxInFlight / connections.Length);
                foreach (var c in connections)
                {
                    c.SetRdy(Math.Min(each, c.Connection!.MaxRdyCount));
                }

                return;
            }

            // Fewer in flight than connections: RDY 1 on MaxInFlight of them; RedistributeRdy moves it around.
            var holders = connections.Count(c => c.Rdy > 0);
            foreach (var c in connections.OrderBy(_ => Random.Shared.Next()))
            {
                if (c.Rdy > 0 && holders > maxInFlight)
                {
                    c.SetRdy(0);
                    holders--;
                }
                else if (c.Rdy == 0 && holders < maxInFlight)
                {
                    c.SetRdy(1);
                    holders++;
                }
            }
        }
    }

    /// <summary>go-nsq's redistributeRDY: take RDY from connections idle since the last round, give it to others.</summary>
    private void RedistributeRdy()
    {
        var connections = _connections.Values.ToArray();
        lock (_rdyLock)
        {
            if (_backoffState != BackoffState.None || _options.MaxInFlight >= connections.Length || _stopping.IsCancellationRequested)
            {
                return;
            }

            var idleSince = NowMs - (long)_options.RdyRedistributeInterval.TotalMilliseconds;
            var freed = new List<ConsumerConnection>();
            foreach (var c in connections)
            {
                if (c.Rdy > 0 && Volatile.Read(ref c.InFlight) == 0 && c.LastMessageTicks < idleSince)
                {
                    c.SetRdy(0);
                    freed.Add(c);
                }
            }

            var holders = connections.Count(c => c.Rdy > 0);
            var candidates = connections.Where(c => c.Rdy == 0 && !freed.Contains(c)).OrderBy(_ => Random.Shared.Next())
                .Concat(freed.OrderBy(_ => Random.Shared.Next()));
            foreach (var c in candidates)
            {
                if (holders >= _options.MaxInFlight)
                {
                    break;
                }

                c.SetRdy(1);
                holders++;
            }
        }
    }

    /// <summary>A registered connection closed: lost, or closed by stop. A lost direct nsqd is dialled again; one
    /// found through lookupd waits for lookupd to list it again (go-nsq).</summary>
    private void OnClosed(ConsumerConnection connection, Exception? error)
    {
        if (!_connections.TryRemove(new KeyValuePair<string, ConsumerConnection>(connection.Address, connection)))
        {
            return;
        }

        Raise(new(connection.Address, NsqConnectionState.Disconnected, error));
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        ClientLog.ConsumerConnectionClosed(_logger, connection.Address, error is null ? "" : ": " + error.Message);
        UpdateRdy();
        if (_direct.Contains(connection.Address))
        {
            StartReconnecting(connection.Address, error ?? new NsqConnectionException($"nsqd {connection.Address} closed the connection"));
        }
    }

    /// <summary>Per-nsqd state: the connection, the RDY last sent, messages in flight on it.</summary>
    private sealed class ConsumerConnection(NsqConsumer consumer, string address) : IFrameHandler, INsqMessageResponder
    {
        public string Address { get; } = address;

        public NsqConnection? Connection { get; set; }

        public int Rdy { get; private set; }

        public int InFlight;

        public long LastMessageTicks = consumer.NowMs;

        /// <summary>Sends RDY when it changes; called under the consumer's RDY lock, the write itself runs apart.</summary>
        public void SetRdy(int count)
        {
            if (count == Rdy || Connection is null)
            {
                return;
            }

            Rdy = count;
            _ = SendRdyAsync(count);
        }

        private async Task SendRdyAsync(int count)
        {
            try
            {
                await Connection!.WriteAsync(count, static (output, count) => CommandWriter.WriteRdy(output, count), CancellationToken.None).ConfigureAwait(false);
            }
            catch (NsqConnectionException)
            {
                // the close is handled by OnClosed
            }
        }

        public void OnMessage(NsqConnection connection, byte[] frame) => consumer.OnMessage(this, frame);

        public void OnError(NsqConnection connection, NsqErrorException error) =>
            ClientLog.ErrorFrame(consumer._logger, Address, error.Message);

        public void OnClosed(NsqConnection connection, Exception? error) => consumer.OnClosed(this, error);

        public async ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref InFlight);
            await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteFin(output, id.Span), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref consumer._finished);
            consumer.OnResult(success: true);
        }

        public async ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref InFlight);
            if (backoff && consumer.IsLastAttempt(message) && await consumer.TryDeadLetterAsync(message, cancellationToken).ConfigureAwait(false))
            {
                await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteFin(output, id.Span), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var ms = (long)(delay ?? consumer.RequeueDelay(message.Attempts)).TotalMilliseconds;
                await Connection!.WriteAsync((id: message.IdBytes, ms), static (output, s) => CommandWriter.WriteReq(output, s.id.Span, s.ms), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref consumer._requeued);
                Diagnostics.ClientTelemetry.CountRequeued(consumer._options.Topic, consumer._options.Channel);
            }

            if (backoff)
            {
                consumer.OnResult(success: false);
            }
        }

        public async ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken) =>
            await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteTouch(output, id.Span), cancellationToken).ConfigureAwait(false);
    }
}
