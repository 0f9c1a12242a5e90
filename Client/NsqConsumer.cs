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
    private TaskCompletionSource _changed = NewPulse();
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
            await WaitUntilAsync(() => Volatile.Read(ref _handlersRunning) == 0, cancellationToken).ConfigureAwait(false);

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

    /// <summary>Wakes <see cref="WaitUntilAsync"/> after a handler ended, a message was answered or a connection
    /// closed; only while stopping (no allocation per message otherwise). Call it after the change.</summary>
    private void PulseWhileStopping()
    {
        if (_stopping.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _changed, NewPulse()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits, without polling, until <paramref name="done"/> holds (checked after each pulse).</summary>
    private async Task WaitUntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pulse = Volatile.Read(ref _changed); // read before the check: a change after it completes this one
            if (done())
            {
                return;
            }

            await pulse.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
