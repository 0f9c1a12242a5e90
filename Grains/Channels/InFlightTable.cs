using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// Messages in flight (nsqd's inFlightMessages + inFlightPQ). A lease of several messages is kept whole, as one
/// <see cref="LeaseBlock"/> with a settled bit per message (<see cref="LeaseBlockTable"/>); a lease of one (a consumer
/// at RDY 1) as one entry by id (<see cref="SingleLeaseTable"/>), which costs less than a block of one. An id is in
/// flight in at most one of them; timeouts come out of both in deadline order.
/// </summary>
internal sealed class InFlightTable
{
    private readonly LeaseBlockTable _blocks = new();
    private readonly SingleLeaseTable _singles = new();

    public int Count => _blocks.Count + _singles.Count;

    /// <summary>Entries in the deadline queues, stale ones included (tests watch compaction through it).</summary>
    internal int DeadlineEntries => _blocks.DeadlineEntries + _singles.DeadlineEntries;

    /// <summary>Runs of consecutive ids kept for blocks, retired ones included.</summary>
    internal int RunEntries => _blocks.RunEntries;

    /// <summary>Ids of blocks kept by id, not in a run.</summary>
    internal int SparseEntries => _blocks.SparseEntries;

    /// <summary>Every id in flight, as ready ranges: after a crash they are delivered again.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        _blocks.CollectRanges(into);
        _singles.CollectRanges(into);
    }

    /// <summary>One lease: <paramref name="messages"/> as handed to the consumer (never changed afterwards), all in
    /// flight until <paramref name="deadlineUnixMs"/>.</summary>
    public void Add(DeliveredMessage[] messages, in LeaseCountdowns countdowns, long deliveredAtUnixMs, long deadlineUnixMs,
        int timeoutMs)
    {
        if (messages.Length != 1)
        {
            _blocks.Add(messages, countdowns, deliveredAtUnixMs, deadlineUnixMs, timeoutMs);
            return;
        }
        ref readonly var message = ref messages[0];
        _singles.Add(message.Id, new InFlightMessage(message.TimestampNs, message.Attempts, message.Body, deliveredAtUnixMs,
            deadlineUnixMs, timeoutMs, countdowns.Get(0), message.LeaseToken));
    }

    /// <summary>The token <paramref name="id"/> is in flight under; 0 when it is not in flight (tests read what a
    /// consumer would have been handed with the message).</summary>
    internal int LeaseTokenOf(long id) =>
        _blocks.Count > 0 && _blocks.LeaseTokenOf(id) is var token and not 0 ? token : _singles.LeaseTokenOf(id);

    /// <summary>A lease of one message.</summary>
    public void Add(long id, in InFlightMessage message) => _singles.Add(id, message);

    /// <summary>A holder's FIN/REQ/release: only while <paramref name="id"/> is in flight under
    /// <paramref name="leaseToken"/> (an earlier delivery's token, or none, finds nothing).</summary>
    public bool TryRemove(long id, int leaseToken, out InFlightMessage message) =>
        (_blocks.Count > 0 && _blocks.TryRemove(id, leaseToken, out message)) || _singles.TryRemove(id, leaseToken, out message);

    /// <summary>A holder's TOUCH, only while <paramref name="id"/> is in flight under <paramref name="leaseToken"/>: the
    /// deadline becomes now + timeout, but never later than the delivery time + max-msg-timeout (as
    /// nsqd/channel.go TouchMessage).</summary>
    public bool TryTouch(long id, int leaseToken, long nowUnixMs, int timeoutMs, long maxMsgTimeoutMs) =>
        (_blocks.Count > 0 && _blocks.TryTouch(id, leaseToken, nowUnixMs, timeoutMs, maxMsgTimeoutMs))
        || _singles.TryTouch(id, leaseToken, nowUnixMs, timeoutMs, maxMsgTimeoutMs);

    /// <summary>Removes and returns the message whose deadline passed first.</summary>
    public bool TryPopExpired(long nowUnixMs, out long id, out InFlightMessage message)
    {
        if (_blocks.Count > 0 && _blocks.TryPeekExpired(nowUnixMs, out var blockDeadline)
            && !(_singles.TryPeekExpired(nowUnixMs, out var singleDeadline) && singleDeadline < blockDeadline))
            return _blocks.TryPopExpired(nowUnixMs, out id, out message);
        return _singles.TryPopExpired(nowUnixMs, out id, out message);
    }

    public void Clear()
    {
        _blocks.Clear();
        _singles.Clear();
    }
}
