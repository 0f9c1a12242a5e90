namespace OrleansNsq.Grains.Channels;

/// <summary>
/// The delivery semantics of one NSQ channel, without Orleans or clocks (every method takes <c>now</c> in Unix ms):
/// ready queue, in-flight leases with deadlines, deferred messages, the settle verbs, timeouts and the /stats counters.
/// nsqd/channel.go is the model; the grain around it only adds long polls and a timer.
/// </summary>
internal sealed class ChannelQueue(long maxMsgTimeoutMs, int defaultMsgTimeoutMs = ChannelOptions.DefaultMsgTimeoutMs)
{
    /// <summary>Most messages one lease hands out: 2,000 × 40-byte <see cref="DeliveredMessage"/> = 80 KB keeps the
    /// batch array off the large-object heap (85 KB). A subscriber with more credit (max-rdy-count is 2,500) pulls again.</summary>
    public const int MaxLeaseCount = 2_000;

    private readonly ReadyQueue _ready = new();
    private readonly InFlightTable _inFlight = new();
    private readonly DeferredQueue _deferred = new();
    // The last lease's token. Each queue (each activation, and each incarnation after a delete) starts at a random
    // point, so a token from before a failover or a recreation matches a new lease of the same id only by a 1 in 2^32
    // chance; within one queue tokens repeat only after 2^32 leases.
    private int _lastToken = Random.Shared.Next();

    /// <summary>--max-msg-timeout: the most a TOUCH can extend a delivery (nsqd default 15 min).</summary>
    public long MaxMsgTimeoutMs { get; } = maxMsgTimeoutMs;

    /// <summary>The lease timeout when a pull names none (nsqd's --msg-timeout, 60 s).</summary>
    public int DefaultMsgTimeoutMs { get; } = defaultMsgTimeoutMs;

    /// <summary>A paused channel leases nothing; what is in flight can still be settled.</summary>
    public bool Paused { get; set; }

    /// <summary>--mem-queue-size for a channel whose messages are in the message log: ready bodies kept in memory
    /// beyond this many are dropped (stored segments) and read back when they near the head. 0: no limit (the
    /// channel's messages are in memory only, so it must keep them).</summary>
    public int MemoryLimit { get; set; }

    /// <summary>Publish-to-FIN latencies, when --e2e-processing-latency-percentile asks for them.</summary>
    public E2eLatencyWindow? Latency { get; set; }

    /// <summary>Ready messages: not in flight, not deferred (nsqd's depth), stored ones included.</summary>
    public int Depth => _ready.Count;

    /// <summary>Ready messages whose bodies are in the message log only (nsqd's backend_depth).</summary>
    public int BackendDepth => _ready.StoredCount;

    /// <summary>True when stored messages should be read back: few bodies left in memory, or a stored head.</summary>
    public bool NeedsRefill => _ready.StoredCount > 0 && (!_ready.HeadLoaded || _ready.LoadedCount < MemoryLimit / 2);

    /// <summary>The first stored entry of the ready queue (the next to read back), null when none.</summary>
    public MessageSegment? FirstStored() => _ready.FirstStored();
    public int InFlightCount => _inFlight.Count;
    public int DeferredCount => _deferred.Count;
    /// <summary>Messages received from the topic, requeues not counted.</summary>
    public long MessageCount { get; private set; }
    /// <summary>Explicit REQs only.</summary>
    public long RequeueCount { get; private set; }
    public long TimeoutCount { get; private set; }

    /// <summary>True while something waits for a time (a deadline or a due time), so the grain keeps its timer.</summary>
    public bool HasTimedWork => _inFlight.Count > 0 || _deferred.Count > 0;

    /// <summary>True when a pull would get something now.</summary>
    public bool CanLease => !Paused && _ready.HeadLoaded;

    internal InFlightTable InFlight => _inFlight;

    /// <summary>New messages from the topic. Segments published with a defer wait in the deferred queue until
    /// now + DeferMs (the timer starts when the channel receives them, as in nsqd).</summary>
    public void Enqueue(ReadOnlySpan<MessageSegment> segments, long nowUnixMs)
    {
        foreach (var segment in segments)
        {
            MessageCount += segment.Count;
            if (segment.Batch is null)
            {
                _ready.Append(segment);
                continue;
            }
            if (segment.Batch.DeferMs <= 0)
            {
                AppendReady(segment);
                continue;
            }
            var due = nowUnixMs + segment.Batch.DeferMs;
            for (var i = 0; i < segment.Count; i++)
                _deferred.Add(new QueuedMessage(segment.FirstId + i, segment.TimestampNs, 0, segment.Batch.Body(i), segment.Countdown), due);
        }
    }

    /// <summary>Leases up to <paramref name="maxCount"/> ready messages until now + <paramref name="timeoutMs"/>
    /// (0 = the default msg timeout; capped by max-msg-timeout). Each delivery counts one attempt.
    /// <see cref="DeliveryBatch.Empty"/> when paused or nothing is ready.</summary>
    public DeliveryBatch Lease(int maxCount, int timeoutMs, long nowUnixMs)
    {
        var count = Paused ? 0 : Math.Min(Math.Min(maxCount, MaxLeaseCount), _ready.LoadedCount);
        if (count <= 0 || !_ready.HeadLoaded) return DeliveryBatch.Empty;
        timeoutMs = timeoutMs <= 0 ? DefaultMsgTimeoutMs : (int)Math.Min(timeoutMs, MaxMsgTimeoutMs);
        var deadline = nowUnixMs + timeoutMs;
        var token = unchecked(++_lastToken);
        // 0 is never a lease's token: a settlement without one is refused.
        if (token == 0) token = ++_lastToken;
        var leased = new DeliveredMessage[count];
        var countdowns = new LeaseCountdowns();
        for (var i = 0; i < count; i++)
        {
            if (!_ready.TryDequeue(out var message))
            {
                // A stored entry reached the head: lease what came before it.
                Array.Resize(ref leased, i);
                break;
            }
            var attempts = message.Attempts == ushort.MaxValue ? ushort.MaxValue : (ushort)(message.Attempts + 1);
            leased[i] = new DeliveredMessage(message.Id, message.TimestampNs, attempts, message.Body, token);
            countdowns.Set(i, message.Countdown, count);
        }
        // The table keeps the batch's array as its lease block: the batch is immutable once handed out.
        _inFlight.Add(leased, countdowns, nowUnixMs, deadline, timeoutMs);
        return new DeliveryBatch(leased, deadline);
    }

    /// <summary>Applies FIN/REQ/TOUCH/release in order, each only while its message is in flight under its lease
    /// token; the others are refused (nsqd's "ID not in flight") and their indexes added to
    /// <paramref name="refused"/>, made on the first. Returns how many messages became ready.</summary>
    public int Settle(ReadOnlySpan<Settlement> settlements, long nowUnixMs, long nowUnixNs, ref List<int>? refused)
    {
        if (nowUnixNs == 0) nowUnixNs = nowUnixMs * 1_000_000;
        var readied = 0;
        for (var i = 0; i < settlements.Length; i++)
        {
            ref readonly var settlement = ref settlements[i];
            var applied = false;
            switch (settlement.Kind)
            {
                case SettlementKind.Finish:
                    if (applied = _inFlight.TryRemove(settlement.Id, settlement.LeaseToken, out var finished))
                    {
                        finished.Countdown?.Settle();
                        Latency?.Add(finished.TimestampNs, nowUnixNs);
                    }
                    break;
                case SettlementKind.Requeue:
                    if (applied = _inFlight.TryRemove(settlement.Id, settlement.LeaseToken, out var requeued))
                        if (Requeue(settlement.Id, requeued, settlement.Milliseconds, nowUnixMs)) readied++;
                    break;
                case SettlementKind.Touch:
                    applied = _inFlight.TryTouch(settlement.Id, settlement.LeaseToken, nowUnixMs, settlement.Milliseconds, MaxMsgTimeoutMs);
                    break;
                case SettlementKind.Release:
                    if (applied = _inFlight.TryRemove(settlement.Id, settlement.LeaseToken, out var released))
                    {
                        // Never written to a consumer: the next delivery shows the same attempts as this one did.
                        _ready.Append(released.ToQueued(settlement.Id, (ushort)Math.Max(0, released.Attempts - 1)));
                        readied++;
                    }
                    break;
            }
            if (!applied) (refused ??= []).Add(i);
        }
        return readied;
    }

    /// <summary><see cref="Settle(ReadOnlySpan{Settlement}, long, long, ref List{int}?)"/> without the refused ones.</summary>
    public int Settle(ReadOnlySpan<Settlement> settlements, long nowUnixMs, long nowUnixNs = 0)
    {
        List<int>? refused = null;
        return Settle(settlements, nowUnixMs, nowUnixNs, ref refused);
    }

    /// <summary>Requeues expired in-flight messages (timeout_count+1, attempts kept) and readies due deferred ones.
    /// Returns how many messages became ready.</summary>
    public int ProcessDue(long nowUnixMs)
    {
        var readied = 0;
        while (_inFlight.TryPopExpired(nowUnixMs, out var id, out var expired))
        {
            TimeoutCount++;
            _ready.Append(expired.ToQueued(id, expired.Attempts));
            readied++;
        }
        while (_deferred.TryPopDue(nowUnixMs, out var due))
        {
            _ready.Append(due);
            readied++;
        }
        return readied;
    }

    /// <summary>nsqd's channel empty: drops ready, in-flight and deferred messages; later FINs for them are ignored.</summary>
    public void Empty()
    {
        _ready.Clear();
        _inFlight.Clear();
        _deferred.Clear();
    }

    /// <summary>Pending ids for the channel's cursor: ready and in flight (due 0), deferred (with due times).</summary>
    public void CollectRanges(List<Storage.Log.PendingRange> into)
    {
        _ready.CollectRanges(into);
        _inFlight.CollectRanges(into);
        _deferred.CollectRanges(into);
    }

    /// <summary>A whole batch read back from the log on activation, ready (not counted as received again); past the
    /// memory limit only its ids are kept.</summary>
    public void Restore(MessageSegment segment) => AppendReady(segment);

    /// <summary>Beyond the memory limit (and behind what is stored already, to keep the order) only the ids stay.</summary>
    private void AppendReady(MessageSegment segment)
    {
        if (MemoryLimit > 0 && (_ready.StoredCount > 0 || _ready.LoadedCount + segment.Count > MemoryLimit))
        {
            // Its bodies will be read back from the log: it must be written, whatever the other channels do.
            segment.Countdown?.Keep();
            _ready.AppendStored(segment.FirstId, segment.LastId, segment.Count);
        }
        else
            _ready.Append(segment);
    }

    /// <summary>Stored ids to deliver, found on activation: their bodies are read back when they near the head.</summary>
    public void RestoreStored(long fromId, long toId, int count) => _ready.AppendStored(fromId, toId, count);

    /// <summary>Puts what a read of the log gave back for the stored entry starting at <paramref name="firstId"/> in
    /// its place; deferred messages go to the deferred queue. False when the entry is gone (emptied meanwhile).</summary>
    public bool ApplyStoredRead(long firstId, StoredRead read)
    {
        if (!_ready.ReplaceStored(firstId, read.ReadThroughId, read.Found, read.Ready)) return false;
        foreach (var (message, due) in read.Deferred) _deferred.Add(message, due);
        return true;
    }

    /// <summary>One message read back from the log: ready when <paramref name="dueUnixMs"/> is 0, else deferred.</summary>
    public void Restore(in QueuedMessage message, long dueUnixMs)
    {
        if (dueUnixMs <= 0) _ready.Append(message);
        else _deferred.Add(message, dueUnixMs);
    }

    /// <summary>REQ of a message taken out of flight: 0 ms → ready at once (true), otherwise deferred until now + delay;
    /// requeue_count+1 either way.</summary>
    private bool Requeue(long id, in InFlightMessage message, int delayMs, long nowUnixMs)
    {
        RequeueCount++;
        var queued = message.ToQueued(id, message.Attempts);
        if (delayMs <= 0)
        {
            _ready.Append(queued);
            return true;
        }
        _deferred.Add(queued, nowUnixMs + delayMs);
        return false;
    }
}
