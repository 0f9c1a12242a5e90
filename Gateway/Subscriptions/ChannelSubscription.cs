using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Subscriptions;

/// <summary>
/// This gateway's side of one channel: the local consumers of <c>topic/channel</c>, the messages they have in flight,
/// and one pump that pulls batches from the channel grain against their summed free RDY and spreads them over the
/// consumers with room. FIN/REQ/TOUCH are answered here at once (nsqd's errors need the owner) and reach the grain in
/// batches, so no grain call is made per message.
/// </summary>
internal sealed partial class ChannelSubscription
{
    private readonly object _sync = new();
    private readonly List<ClientSession> _consumers = [];
    private readonly Dictionary<long, InFlightMessage> _inFlight = [];
    private List<Settlement> _settlements = [];
    private List<Settlement> _settlementsInFlight = [];
    private bool _settling;
    private int _reportedCount = -1;
    private long _lastReportUnixMs;
    private bool _reporting;
    private int _nextConsumer;
    private bool _stopped;
    private bool _channelDeleted;

    private readonly CreditSignal _credit = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IChannelGrain _grain;
    private readonly SubscriptionRegistry _registry;
    private readonly ITopicGrain _topic;
    private readonly SubscriptionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _maxMsgTimeoutMs;
    private ITimer? _leaseScan;

    public ChannelSubscription(string topic, string channel, IGrainFactory grains, SubscriptionRegistry registry,
        SubscriptionOptions options, long maxMsgTimeoutMs, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        Topic = topic;
        Channel = channel;
        _grain = grains.Channel(topic, channel);
        _topic = grains.Topic(topic);
        _options = options;
        _maxMsgTimeoutMs = maxMsgTimeoutMs;
        _time = time;
        _logger = logger;
    }

    public string Topic { get; }
    public string Channel { get; }
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Local consumers; read under the registry's lock.</summary>
    public int ConsumerCount
    {
        get { lock (_sync) return _consumers.Count; }
    }

    public void Start()
    {
        _leaseScan = _time.CreateTimer(static s => ((ChannelSubscription)s!).FreeExpiredLeases(), this,
            _options.LeaseScanInterval, _options.LeaseScanInterval);
        _ = Task.Run(PumpAsync);
    }

    /// <summary>False once the channel was found deleted: this subscription has stopped pulling and closed the
    /// consumers it had, so a consumer joining now would wait forever; the registry starts a new subscription.</summary>
    public bool TryAdd(ClientSession consumer)
    {
        lock (_sync)
        {
            if (_channelDeleted) return false;
            _consumers.Add(consumer);
        }
        ReportConsumerCount();
        _credit.Set();
        return true;
    }

    /// <summary>Returns the number of consumers left.</summary>
    public int Remove(ClientSession consumer)
    {
        int left;
        lock (_sync)
        {
            _consumers.Remove(consumer);
            left = _consumers.Count;
        }
        if (left > 0) ReportConsumerCount();
        return left;
    }

    /// <summary>RDY changed, or CLS: a consumer may have room now.</summary>
    public void OnCreditChanged() => _credit.Set();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- FIN / REQ / TOUCH: answered here, sent to the grain in batches by FlushSettlements ----

    public SettleResult Finish(ClientSession consumer, long id)
    {
        lock (_sync)
        {
            var result = TakeLocked(consumer, id);
            if (result == SettleResult.Ok) _settlements.Add(new Settlement(id, SettlementKind.Finish));
            return result;
        }
    }

    public SettleResult Requeue(ClientSession consumer, long id, int delayMs)
    {
        lock (_sync)
        {
            var result = TakeLocked(consumer, id);
            if (result == SettleResult.Ok) _settlements.Add(new Settlement(id, SettlementKind.Requeue, delayMs));
            return result;
        }
    }

    /// <summary>TOUCH: new deadline = now + the consumer's msg timeout, never beyond delivery + max-msg-timeout.</summary>
    public SettleResult Touch(ClientSession consumer, long id, int msgTimeoutMs)
    {
        lock (_sync)
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_inFlight, id);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref entry)) return SettleResult.NotInFlight;
            if (entry.Owner != consumer) return SettleResult.NotOwner;
            var now = NowMs;
            if (entry.DeadlineUnixMs <= now) return SettleResult.NotInFlight; // the lease scan frees it
            entry.DeadlineUnixMs = Math.Min(now + msgTimeoutMs, entry.DeliveredUnixMs + _maxMsgTimeoutMs);
            _settlements.Add(new Settlement(id, SettlementKind.Touch, msgTimeoutMs));
            return SettleResult.Ok;
        }
    }

    private SettleResult TakeLocked(ClientSession consumer, long id)
    {
        // One lookup: remove first, put back in the rare case of another consumer's id.
        if (!_inFlight.Remove(id, out var entry)) return SettleResult.NotInFlight;
        if (entry.Owner != consumer)
        {
            _inFlight.Add(id, entry);
            return SettleResult.NotOwner;
        }
        entry.Owner.InFlightCount--;
        _credit.Set();
        // Past its deadline the lease belongs to the channel again (it may already be another consumer's): nsqd
        // answers "ID not in flight" until the message is delivered anew.
        return entry.DeadlineUnixMs > NowMs ? SettleResult.Ok : SettleResult.NotInFlight;
    }

    /// <summary>Sends what FIN/REQ/TOUCH collected as one grain call; a consumer calls it after each read buffer.
    /// While a call is out, new settlements wait for the next one, so batches grow with load.</summary>
    public void FlushSettlements()
    {
        lock (_sync)
        {
            if (_settling || _settlements.Count == 0) return;
            _settling = true;
        }
        _ = SettleLoopAsync();
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
                (_settlements, _settlementsInFlight) = (_settlementsInFlight, _settlements);
                batch = _settlementsInFlight.ToArray();
                _settlementsInFlight.Clear();
            }
            try
            {
                await _grain.SettleAsync(new Immutable<Settlement[]>(batch));
            }
            catch (Exception ex)
            {
                // The grain times the messages out and delivers them again: at-least-once holds.
                SubscriptionLog.SettleFailed(_logger, Topic, Channel, batch.Length, ex);
            }
        }
    }

    // ---- the pump: pull against free credit, spread over consumers ----

    private async Task PumpAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int credit, msgTimeoutMs;
            lock (_sync) credit = FreeCreditLocked(out msgTimeoutMs);
            FlushSettlements();
            if (credit <= 0)
            {
                try { await _credit.WaitAsync(token); }
                catch (OperationCanceledException) { break; }
                continue;
            }

            DeliveryBatch batch;
            try
            {
                batch = await _grain.PullAsync(new PullRequest(Id, Math.Min(credit, _options.MaxPullCount), msgTimeoutMs,
                    (int)_options.PullWait.TotalMilliseconds));
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                SubscriptionLog.PullFailed(_logger, Topic, Channel, ex);
                try { await Task.Delay(TimeSpan.FromSeconds(1), _time, token); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            catch (Exception)
            {
                break;
            }

            if (batch.ChannelDeleted)
            {
                CloseConsumers();
                break;
            }
            if (batch.Count > 0)
            {
                try
                {
                    Distribute(batch);
                }
                catch (Exception ex)
                {
                    // Whatever was not written times out in the grain and is delivered again.
                    SubscriptionLog.PullFailed(_logger, Topic, Channel, ex);
                }
            }
        }
        FlushSettlements();
    }

    private int FreeCreditLocked(out int msgTimeoutMs)
    {
        long credit = 0;
        msgTimeoutMs = int.MaxValue;
        foreach (var consumer in _consumers)
        {
            var free = consumer.FreeCredit;
            if (free <= 0) continue;
            credit += free;
            msgTimeoutMs = Math.Min(msgTimeoutMs, consumer.MsgTimeoutMs);
        }
        return (int)Math.Min(credit, int.MaxValue);
    }

    private void Distribute(DeliveryBatch batch)
    {
        List<ClientSession>? touched = null;
        lock (_sync)
        {
            var now = NowMs;
            foreach (var message in batch.Messages)
            {
                // Every consumer's room shrank (RDY, CLS, disconnect) while the pull was out. nsqd leases only to a
                // client with room, so the message goes back to the channel at once (attempt not counted), where
                // another gateway's consumer may take it, instead of waiting here for its lease to time out.
                if (!TryDeliverLocked(message, batch.DeadlineUnixMs, now, ref touched))
                    _settlements.Add(new Settlement(message.Id, SettlementKind.Release));
            }
        }
        if (touched is not null)
            foreach (var consumer in touched) consumer.StartWritingDeliveries();
    }

    /// <summary>Round robin over consumers with room (nsqd's consumers compete; any spread is valid).</summary>
    private bool TryDeliverLocked(in DeliveredMessage message, long deadline, long now, ref List<ClientSession>? touched)
    {
        var count = _consumers.Count;
        for (var i = 0; i < count; i++)
        {
            var consumer = _consumers[(_nextConsumer + i) % count];
            if (consumer.FreeCredit <= 0) continue;
            _nextConsumer = (_nextConsumer + i + 1) % count;

            if (consumer.ShouldSampleOut())
            {
                // sample_rate: taken off the channel, never delivered (nsqd).
                _settlements.Add(new Settlement(message.Id, SettlementKind.Finish));
                return true;
            }
            // A timed-out lease delivered again before the scan freed it: the old holder's slot is free now.
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_inFlight, message.Id, out var stale);
            if (stale) entry.Owner.InFlightCount--;
            entry = new InFlightMessage(consumer, now, deadline);
            consumer.InFlightCount++;
            consumer.MessageCount++;
            if (consumer.QueueDelivery(message))
                (touched ??= []).Add(consumer);
            return true;
        }
        return false;
    }

    /// <summary>The channel grain forgets a subscriber it has not heard from for 2 minutes; busy consumers do not
    /// pull, so the count is repeated this often.</summary>
    private const long ReportRepeatMs = 30_000;

    /// <summary>nsqd's queue scanner frees the consumer's slot when a lease expires; the grain requeues the message.</summary>
    private void FreeExpiredLeases()
    {
        var repeatReport = false;
        lock (_sync)
        {
            var now = NowMs;
            if (!_stopped && !_reporting && now - _lastReportUnixMs > ReportRepeatMs)
            {
                _reportedCount = -1;
                repeatReport = true;
            }
            if (_inFlight.Count > 0) FreeExpiredLeasesLocked(now);
        }
        if (repeatReport) ReportConsumerCount();
    }

    private void FreeExpiredLeasesLocked(long now)
    {
        var freed = false;
        foreach (var (id, entry) in _inFlight)
        {
            if (entry.DeadlineUnixMs > now) continue;
            _inFlight.Remove(id);
            entry.Owner.InFlightCount--;
            freed = true;
        }
        if (freed) _credit.Set();
    }

    private void CloseConsumers()
    {
        ClientSession[] consumers;
        lock (_sync)
        {
            _channelDeleted = true;
            consumers = [.. _consumers];
        }
        foreach (var consumer in consumers) consumer.Abort("channel deleted");
    }

    // ---- consumer count → grain (client_count, ephemeral deletion) ----

    private void ReportConsumerCount()
    {
        lock (_sync)
        {
            if (_reporting) return;
            _reporting = true;
        }
        _ = ReportLoopAsync();
    }

    private async Task ReportLoopAsync()
    {
        while (true)
        {
            int count;
            lock (_sync)
            {
                count = _stopped ? 0 : _consumers.Count;
                if (count == _reportedCount)
                {
                    _reporting = false;
                    return;
                }
            }
            try
            {
                var deleteEphemeral = await _grain.SetSubscriberAsync(Id, count);
                lock (_sync)
                {
                    _reportedCount = count;
                    _lastReportUnixMs = NowMs;
                }
                // The channel's answer predates a SUB that has just started this gateway's next subscription to it
                // (its count may not have reached the channel yet): that consumer keeps the channel, as in nsqd.
                if (deleteEphemeral)
                {
                    using var turn = await _registry.EphemeralTurnAsync(Topic, Channel);
                    if (!_registry.InUse(Topic, Channel)) await _topic.DeleteChannelAsync(Channel);
                }
            }
            catch (Exception ex)
            {
                SubscriptionLog.ReportFailed(_logger, Topic, Channel, ex);
                lock (_sync) _reporting = false;
                return;
            }
        }
    }

    /// <summary>The last local consumer left: stop pulling, hand back what was never written, report zero.</summary>
    public async Task StopAsync()
    {
        lock (_sync) _stopped = true;
        _stop.Cancel();
        _leaseScan?.Dispose();
        try
        {
            await _grain.CancelPullAsync(Id);
        }
        catch (Exception ex)
        {
            SubscriptionLog.ReportFailed(_logger, Topic, Channel, ex);
        }
        FlushSettlements();
        ReportConsumerCount();
    }

    private static partial class SubscriptionLog
    {
        [LoggerMessage(2001, LogLevel.Warning, "Pull from channel {Topic}/{Channel} failed; retrying")]
        public static partial void PullFailed(ILogger logger, string topic, string channel, Exception ex);

        [LoggerMessage(2002, LogLevel.Warning, "Settling {Count} messages on {Topic}/{Channel} failed; they will time out and be delivered again")]
        public static partial void SettleFailed(ILogger logger, string topic, string channel, int count, Exception ex);

        [LoggerMessage(2003, LogLevel.Warning, "Reporting consumers of {Topic}/{Channel} failed")]
        public static partial void ReportFailed(ILogger logger, string topic, string channel, Exception ex);
    }
}
