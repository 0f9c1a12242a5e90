using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// Leases of one message (consumers at RDY 1), by id, with their deadlines in a priority queue (nsqd's
/// inFlightMessages + inFlightPQ): for them a <see cref="LeaseBlock"/> costs more than the entry it would save.
/// Removal is lazy: FIN and TOUCH leave the old deadline in the queue and <see cref="TryPopExpired"/> skips entries
/// whose message is gone or whose deadline moved. Stale entries are dropped wholesale once they outnumber the live
/// ones (plus <see cref="CompactionSlack"/>), so a fast FIN stream keeps the queue near the in-flight count instead of
/// growing with msg_timeout × rate.
/// </summary>
internal sealed class SingleLeaseTable
{
    // Below this many stale entries a rebuild costs more than it saves.
    private const int CompactionSlack = 1024;

    private readonly Dictionary<long, InFlightMessage> _messages = new();
    private readonly PriorityQueue<long, long> _deadlines = new();

    public int Count => _messages.Count;

    /// <summary>Entries in the deadline queue, stale ones included (tests watch compaction through it).</summary>
    internal int DeadlineEntries => _deadlines.Count;

    /// <summary>Every id in flight, as ready ranges: after a crash they are delivered again.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        foreach (var id in _messages.Keys) into.Add(new PendingRange(id, id, 0));
    }

    /// <summary>The token <paramref name="id"/> is in flight under; 0 when it is not in flight.</summary>
    internal int LeaseTokenOf(long id) => _messages.TryGetValue(id, out var message) ? message.LeaseToken : 0;

    public void Add(long id, in InFlightMessage message)
    {
        _messages[id] = message;
        _deadlines.Enqueue(id, message.DeadlineUnixMs);
    }

    /// <summary>A holder's FIN/REQ/release: only while <paramref name="id"/> is in flight under
    /// <paramref name="leaseToken"/>.</summary>
    public bool TryRemove(long id, int leaseToken, out InFlightMessage message)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_messages, id);
        if (Unsafe.IsNullRef(ref entry) || entry.LeaseToken != leaseToken)
        {
            message = default;
            return false;
        }
        _messages.Remove(id, out message);
        if (_deadlines.Count > 2 * _messages.Count + CompactionSlack) Compact();
        return true;
    }

    /// <summary>A holder's TOUCH, only while <paramref name="id"/> is in flight under <paramref name="leaseToken"/>: the
    /// deadline becomes now + timeout, but never later than the delivery time + max-msg-timeout (as
    /// nsqd/channel.go TouchMessage).</summary>
    public bool TryTouch(long id, int leaseToken, long nowUnixMs, int timeoutMs, long maxMsgTimeoutMs)
    {
        ref var message = ref CollectionsMarshal.GetValueRefOrNullRef(_messages, id);
        if (Unsafe.IsNullRef(ref message) || message.LeaseToken != leaseToken) return false;
        if (timeoutMs <= 0) timeoutMs = message.TimeoutMs;
        var deadline = Math.Min(nowUnixMs + timeoutMs, message.DeliveredAtUnixMs + maxMsgTimeoutMs);
        message.DeadlineUnixMs = deadline;
        _deadlines.Enqueue(id, deadline);
        if (_deadlines.Count > 2 * _messages.Count + CompactionSlack) Compact();
        return true;
    }

    /// <summary>The earliest deadline in flight, when it has passed; stale entries before it are dropped.</summary>
    public bool TryPeekExpired(long nowUnixMs, out long deadline)
    {
        while (_deadlines.TryPeek(out var id, out deadline) && deadline <= nowUnixMs)
        {
            // The entry is stale when the message was settled, or touched to another deadline.
            if (_messages.TryGetValue(id, out var message) && message.DeadlineUnixMs == deadline) return true;
            _deadlines.Dequeue();
        }
        return false;
    }

    /// <summary>Removes and returns one message whose deadline has passed.</summary>
    public bool TryPopExpired(long nowUnixMs, out long id, out InFlightMessage message)
    {
        if (TryPeekExpired(nowUnixMs, out _))
        {
            id = _deadlines.Dequeue();
            _messages.Remove(id, out message);
            return true;
        }
        id = 0;
        message = default;
        return false;
    }

    public void Clear()
    {
        _messages.Clear();
        _deadlines.Clear();
    }

    private void Compact()
    {
        _deadlines.Clear();
        foreach (var (id, message) in _messages) _deadlines.Enqueue(id, message.DeadlineUnixMs);
    }
}
