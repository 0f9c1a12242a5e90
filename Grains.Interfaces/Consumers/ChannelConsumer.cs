using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// An NSQ consumer of one channel for a .NET service that is an Orleans client (or runs in a silo): SUB, RDY,
/// FIN/REQ/TOUCH over the grain API instead of TCP, following the protocol the gateway's own subscription follows.
/// It registers a subscriber id with the channel (<see cref="IChannelGrain.SetSubscriberAsync"/>, repeated as a
/// heartbeat), long-polls <see cref="IChannelGrain.PullAsync"/> only for the free part of
/// <see cref="ChannelConsumerOptions.MaxInFlight"/> (backpressure), and sends FIN/REQ/TOUCH to
/// <see cref="IChannelGrain.SettleAsync"/> in batches: while one call is out, the next batch grows, so no grain call
/// is made per message. It competes for messages with the channel's NSQ clients, as one more consumer.
/// </summary>
/// <remarks>
/// One reader at a time: <see cref="ReadAllAsync"/> is a single enumeration. <see cref="Fin(long)"/>, <see cref="Req(long, TimeSpan)"/> and
/// <see cref="Touch(long)"/> may be called from any thread. A message not settled within its msg_timeout is delivered
/// again (attempts + 1), to this or another consumer; settling it afterwards returns false, as nsqd answers
/// E_FIN_FAILED. Disposing does not requeue what is in flight (nsqd does not on disconnect): it times out.
/// Local lease deadlines are the channel grain's (<see cref="DeliveryBatch.DeadlineUnixMs"/>), as in the gateway, so
/// the client's and the silos' clocks should agree (NTP).
/// </remarks>
public sealed partial class ChannelConsumer : IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly Dictionary<long, Lease> _inFlight = [];
    private List<Settlement> _settlements = [];
    private Task _settleLoop = Task.CompletedTask;
    private bool _settling;
    private TaskCompletionSource _creditFreed = NewSignal();
    private int _reading;
    private bool _disposed;

    private readonly CancellationTokenSource _stop = new();
    private readonly IChannelGrain _grain;
    private readonly ITopicGrain _topic;
    private readonly ChannelConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _heartbeat;

    private ChannelConsumer(IGrainFactory grains, string topic, string channel, ChannelConsumerOptions options,
        TimeProvider time, ILogger logger)
    {
        Topic = topic;
        Channel = channel;
        _grain = grains.Channel(topic, channel);
        _topic = grains.Topic(topic);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>SUB: creates the topic and the channel when needed (the first channel of a topic receives the
    /// topic's backlog, as in nsqd), registers this consumer with the channel (<c>client_count</c> + 1) and starts its
    /// heartbeat. Messages flow once <see cref="ReadAllAsync"/> runs.</summary>
    /// <param name="grains">The Orleans client (<c>IClusterClient</c>) or a silo's grain factory.</param>
    /// <param name="topic">An NSQ topic name (<c>[.a-zA-Z0-9_-]+(#ephemeral)?</c>, up to 64 characters).</param>
    /// <param name="channel">An NSQ channel name; <c>#ephemeral</c> channels are deleted when their last consumer leaves.</param>
    /// <param name="options">RDY, msg_timeout and the pull settings; null = the defaults.</param>
    /// <param name="logger">Where failed pulls and settlements are reported; null = nowhere.</param>
    /// <param name="time">The clock of the local lease deadlines (tests); null = the system clock.</param>
    /// <param name="cancellationToken">Cancels the subscription calls.</param>
    public static async Task<ChannelConsumer> SubscribeAsync(IGrainFactory grains, string topic, string channel,
        ChannelConsumerOptions? options = null, ILogger? logger = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        options ??= new ChannelConsumerOptions();
        options.Validate();
        var consumer = new ChannelConsumer(grains, topic, channel, options, time ?? TimeProvider.System,
            logger ?? NullLogger.Instance);
        await consumer._topic.CreateChannelAsync(channel, cancellationToken);
        await consumer._grain.SetSubscriberAsync(consumer.SubscriberId, 1, cancellationToken);
        consumer._heartbeat = consumer._time.CreateTimer(static s => ((ChannelConsumer)s!).Heartbeat(), consumer,
            options.HeartbeatInterval, options.HeartbeatInterval);
        return consumer;
    }

    public string Topic { get; }

    public string Channel { get; }

    /// <summary>This consumer's id at the channel (the <see cref="PullRequest.SubscriberId"/> of its pulls).</summary>
    public Guid SubscriberId { get; } = Guid.NewGuid();

    /// <summary>Messages received and not yet FIN'd, REQ'd or timed out.</summary>
    public int InFlightCount
    {
        get { lock (_sync) return _inFlight.Count; }
    }

    /// <summary>True once a pull found the channel deleted (HTTP /channel/delete, /topic/delete): nsqd closes its
    /// consumers then, and <see cref="ReadAllAsync"/> ends.</summary>
    public bool ChannelDeleted { get; private set; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The channel's messages as they are leased to this consumer, until <paramref name="cancellationToken"/> is
    /// cancelled, the consumer is disposed or the channel is deleted. Each message is in flight until
    /// <see cref="Fin(long)"/>, <see cref="Req(long, TimeSpan)"/> or its msg_timeout; the next pull waits while
    /// <see cref="ChannelConsumerOptions.MaxInFlight"/> messages are in flight. Stopping the enumeration hands the
    /// unread rest of the current batch back to the channel (attempt not counted).
    /// </summary>
    public async IAsyncEnumerable<DeliveredMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _reading, 1) == 1)
            throw new InvalidOperationException("ChannelConsumer.ReadAllAsync is already being enumerated; a consumer has one reader");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        // A long poll does not observe the token: CancelPull makes it answer empty at once.
        using var cancelPull = token.Register(static s => ((ChannelConsumer)s!).CancelPullQuietly(), this);
        try
        {
            while (!token.IsCancellationRequested)
            {
                var credit = await WaitForCreditAsync(token);
                if (credit <= 0) break;
                var batch = await PullAsync(credit, token);
                if (batch is null) continue;
                if (batch.ChannelDeleted)
                {
                    ChannelDeleted = true;
                    break;
                }
                if (batch.Count == 0) continue;
                Take(batch);
                var handedOut = 0;
                try
                {
                    // Cancelled while the pull was answered: none of it reaches the reader.
                    while (handedOut < batch.Count && !token.IsCancellationRequested)
                    {
                        var message = batch.Messages[handedOut];
                        handedOut++;
                        yield return message;
                    }
                }
                finally
                {
                    // The reader stopped mid-batch (break, cancellation, exception): the rest it never saw goes back
                    // to the channel now, instead of waiting for its msg_timeout.
                    if (handedOut < batch.Count) Release(batch, handedOut);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
            FlushSettlements();
        }
    }

    /// <summary>FIN: the message is done. False when it is not in flight here (unknown, already settled, or its
    /// msg_timeout passed: the channel delivers it again), as nsqd's E_FIN_FAILED.</summary>
    public bool Fin(long id) => Settle(new Settlement(id, SettlementKind.Finish));

    /// <summary>FIN of a received message.</summary>
    public bool Fin(in DeliveredMessage message) => Fin(message.Id);

    /// <summary>REQ: the message goes back to the channel, ready again after <paramref name="delay"/> (default at
    /// once; capped at <see cref="ChannelConsumerOptions.MaxReqDelay"/>) and delivered with attempts + 1. Counts in the
    /// channel's <c>requeue_count</c>. False as for <see cref="Fin(long)"/>.</summary>
    public bool Req(long id, TimeSpan delay = default)
    {
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        if (delay > _options.MaxReqDelay) delay = _options.MaxReqDelay;
        return Settle(new Settlement(id, SettlementKind.Requeue, (int)delay.TotalMilliseconds));
    }

    /// <summary>REQ of a received message.</summary>
    public bool Req(in DeliveredMessage message, TimeSpan delay = default) => Req(message.Id, delay);

    /// <summary>TOUCH: the message stays in flight for another msg_timeout from now (the node caps the total at
    /// --max-msg-timeout after delivery). False when it is not in flight here.</summary>
    public bool Touch(long id)
    {
        lock (_sync)
        {
            ref var lease = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_inFlight, id);
            if (Unsafe.IsNullRef(ref lease)) return false;
            var now = NowMs;
            if (lease.DeadlineUnixMs <= now) return false;
            lease.DeadlineUnixMs = now + lease.TimeoutMs;
            _settlements.Add(new Settlement(id, SettlementKind.Touch, (int)_options.MsgTimeout.TotalMilliseconds));
            StartSettlingLocked();
            return true;
        }
    }

    /// <summary>TOUCH of a received message.</summary>
    public bool Touch(in DeliveredMessage message) => Touch(message.Id);

    /// <summary>Completes when every FIN/REQ/TOUCH made before the call has reached the channel grain (or failed to:
    /// a failed batch is logged, and its messages time out and come again).</summary>
    public async Task FlushAsync()
    {
        while (true)
        {
            Task loop;
            lock (_sync)
            {
                if (!_settling && _settlements.Count == 0) return;
                if (!_settling) StartSettlingLocked();
                loop = _settleLoop;
            }
            await loop;
        }
    }

    /// <summary>Ends the reader, sends what was settled, and unsubscribes (<c>client_count</c> − 1). An
    /// <c>#ephemeral</c> channel left without consumers anywhere is deleted, as in nsqd. Messages still in flight
    /// are not requeued: they time out.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
        }
        _stop.Cancel();
        _heartbeat?.Dispose();
        await FlushAsync();
        try
        {
            if (await _grain.SetSubscriberAsync(SubscriberId, 0))
                await _topic.DeleteChannelAsync(Channel);
        }
        catch (Exception ex)
        {
            // The channel forgets a silent subscriber after its idle timeout anyway.
            ConsumerLog.UnsubscribeFailed(_logger, Topic, Channel, ex);
        }
    }

    // ---- pulling against credit ----

    /// <summary>A wait for credit looks again at least this often (an hour), so a far deadline stays within
    /// Task.Delay's range.</summary>
    private const long MaxCreditWaitMs = 3_600_000;

    /// <summary>Free credit (MaxInFlight − in flight), waiting while there is none until a settlement or an expired
    /// lease frees some. 0 when cancelled.</summary>
    private async Task<int> WaitForCreditAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Task freed;
            long wait;
            lock (_sync)
            {
                var now = NowMs;
                var nextDeadline = FreeExpiredLocked(now);
                var credit = _options.MaxInFlight - _inFlight.Count;
                if (credit > 0) return credit;
                if (_creditFreed.Task.IsCompleted) _creditFreed = NewSignal();
                freed = _creditFreed.Task;
                wait = Math.Clamp(nextDeadline - now, 1, MaxCreditWaitMs);
            }
            // The delay is cancelled once credit is freed, so waits at full credit leave no timers behind.
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(token);
            await Task.WhenAny(freed, Task.Delay(TimeSpan.FromMilliseconds(wait), _time, waiting.Token));
            await waiting.CancelAsync();
        }
        return 0;
    }

    /// <summary>nsqd's queue scan frees a client's slot when a lease expires (the channel requeues the message);
    /// this does the same for the local count. Returns the earliest deadline still ahead.</summary>
    private long FreeExpiredLocked(long now)
    {
        var next = long.MaxValue;
        List<long>? expired = null;
        foreach (var (id, lease) in _inFlight)
        {
            if (lease.DeadlineUnixMs <= now) (expired ??= []).Add(id);
            else next = Math.Min(next, lease.DeadlineUnixMs);
        }
        if (expired is not null)
            foreach (var id in expired) _inFlight.Remove(id);
        return next;
    }

    private async Task<DeliveryBatch?> PullAsync(int credit, CancellationToken token)
    {
        var pull = _grain.PullAsync(new PullRequest(SubscriberId, Math.Min(credit, _options.MaxPullCount),
            (int)_options.MsgTimeout.TotalMilliseconds, (int)_options.PullWait.TotalMilliseconds)).AsTask();
        try
        {
            // CancelPull may reach the grain before the pull does; then the reader does not wait for the long poll.
            return await pull.WaitAsync(token);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            _ = ReleaseAbandonedAsync(pull);
            return null;
        }
        catch (Exception ex)
        {
            ConsumerLog.PullFailed(_logger, Topic, Channel, ex);
            try
            {
                await Task.Delay(_options.RetryDelay, _time, token);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
            return null;
        }
    }

    /// <summary>A pull the reader stopped waiting for: whatever it still leases goes back at once, attempt not
    /// counted, as the gateway does with messages no consumer has room for.</summary>
    private async Task ReleaseAbandonedAsync(Task<DeliveryBatch> pull)
    {
        DeliveryBatch batch;
        try
        {
            batch = await pull;
        }
        catch (Exception)
        {
            return; // nothing was leased
        }
        if (batch.Count == 0) return;
        try
        {
            var releases = new Settlement[batch.Count];
            for (var i = 0; i < releases.Length; i++) releases[i] = new Settlement(batch.Messages[i].Id, SettlementKind.Release);
            await _grain.SettleAsync(new Immutable<Settlement[]>(releases));
        }
        catch (Exception ex)
        {
            // They time out and are delivered again.
            ConsumerLog.SettleFailed(_logger, Topic, Channel, batch.Count, ex);
        }
    }

    private void Take(DeliveryBatch batch)
    {
        lock (_sync)
        {
            // The lease's own length, measured on this clock, so TOUCH extends by what the channel granted.
            var timeoutMs = Math.Max(1, batch.DeadlineUnixMs - NowMs);
            foreach (var message in batch.Messages)
                _inFlight[message.Id] = new Lease(batch.DeadlineUnixMs, timeoutMs);
        }
    }

    private void Release(DeliveryBatch batch, int from)
    {
        lock (_sync)
        {
            for (var i = from; i < batch.Count; i++)
            {
                var id = batch.Messages[i].Id;
                if (_inFlight.Remove(id)) _settlements.Add(new Settlement(id, SettlementKind.Release));
            }
            SignalCreditLocked();
            if (_settlements.Count > 0) StartSettlingLocked();
        }
    }

    private void CancelPullQuietly() => _ = CancelPullAsync();

    private async Task CancelPullAsync()
    {
        try
        {
            await _grain.CancelPullAsync(SubscriberId);
        }
        catch (Exception ex)
        {
            // The long poll then ends by itself within PullWait.
            ConsumerLog.CancelPullFailed(_logger, Topic, Channel, ex);
        }
    }

    // ---- FIN / REQ / TOUCH in batches ----

    private bool Settle(Settlement settlement)
    {
        lock (_sync)
        {
            if (!_inFlight.Remove(settlement.Id, out var lease)) return false;
            SignalCreditLocked();
            // Past its deadline the lease is the channel's again (maybe already another consumer's).
            if (lease.DeadlineUnixMs <= NowMs) return false;
            _settlements.Add(settlement);
            StartSettlingLocked();
            return true;
        }
    }

    private void SignalCreditLocked() => _creditFreed.TrySetResult();

    private void FlushSettlements()
    {
        lock (_sync)
        {
            if (_settlements.Count > 0) StartSettlingLocked();
        }
    }

    private void StartSettlingLocked()
    {
        if (_settling) return;
        _settling = true;
        _settleLoop = Task.Run(SettleLoopAsync);
    }

    private async Task SettleLoopAsync()
    {
        while (true)
        {
            Settlement[] batch;
            lock (_sync)
            {
                if (_settlements.Count == 0)
                {
                    _settling = false;
                    return;
                }
                batch = [.. _settlements];
                _settlements.Clear();
            }
            try
            {
                await _grain.SettleAsync(new Immutable<Settlement[]>(batch));
            }
            catch (Exception ex)
            {
                // The channel times the messages out and delivers them again: at-least-once holds.
                ConsumerLog.SettleFailed(_logger, Topic, Channel, batch.Length, ex);
            }
        }
    }

    private void Heartbeat() => _ = HeartbeatAsync();

    private async Task HeartbeatAsync()
    {
        try
        {
            await _grain.SetSubscriberAsync(SubscriberId, 1);
        }
        catch (Exception ex)
        {
            ConsumerLog.HeartbeatFailed(_logger, Topic, Channel, ex);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private struct Lease(long deadlineUnixMs, long timeoutMs)
    {
        public long DeadlineUnixMs = deadlineUnixMs;
        public readonly long TimeoutMs = timeoutMs;
    }

    private static partial class ConsumerLog
    {
        [LoggerMessage(5001, LogLevel.Warning, "Pull from channel {Topic}/{Channel} failed; retrying")]
        public static partial void PullFailed(ILogger logger, string topic, string channel, Exception ex);

        [LoggerMessage(5002, LogLevel.Warning, "Settling {Count} messages on {Topic}/{Channel} failed; they will time out and be delivered again")]
        public static partial void SettleFailed(ILogger logger, string topic, string channel, int count, Exception ex);

        [LoggerMessage(5003, LogLevel.Warning, "Heartbeat to channel {Topic}/{Channel} failed")]
        public static partial void HeartbeatFailed(ILogger logger, string topic, string channel, Exception ex);

        [LoggerMessage(5004, LogLevel.Debug, "Cancelling the pull on {Topic}/{Channel} failed; it ends by itself")]
        public static partial void CancelPullFailed(ILogger logger, string topic, string channel, Exception ex);

        [LoggerMessage(5005, LogLevel.Warning, "Unsubscribing from {Topic}/{Channel} failed; the channel forgets the subscriber after its idle timeout")]
        public static partial void UnsubscribeFailed(ILogger logger, string topic, string channel, Exception ex);
    }
}
