using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>Messages waiting for a time (DPUB, REQ with a delay), ordered by due time (nsqd's deferredPQ).</summary>
internal sealed class DeferredQueue
{
    private readonly PriorityQueue<QueuedMessage, long> _queue = new();

    public int Count => _queue.Count;

    public void Add(in QueuedMessage message, long dueUnixMs) => _queue.Enqueue(message, dueUnixMs);

    public bool TryPopDue(long nowUnixMs, out QueuedMessage message)
    {
        if (_queue.TryPeek(out message, out var due) && due <= nowUnixMs)
        {
            _queue.Dequeue();
            return true;
        }
        message = default;
        return false;
    }

    /// <summary>Every deferred id with its due time, for the channel's cursor.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        foreach (var (message, due) in _queue.UnorderedItems) into.Add(new PendingRange(message.Id, message.Id, due));
    }

    public void Clear() => _queue.Clear();
}
