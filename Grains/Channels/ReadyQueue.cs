using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// The channel's ready messages in arrival order (nsqd's memoryMsgChan): whole segments as the topic handed them over,
/// interleaved with single messages that came back (REQ 0, timeout, due deferred). A segment costs one entry however
/// many messages it holds; only the head entry is partly consumed.
/// </summary>
internal sealed class ReadyQueue
{
    private readonly Queue<Entry> _entries = new();
    // Messages of the head segment already taken.
    private int _headTaken;

    public int Count { get; private set; }

    public void Append(MessageSegment segment)
    {
        if (segment.Count == 0) return;
        _entries.Enqueue(new Entry(segment, default));
        Count += segment.Count;
    }

    /// <summary>A message back in the queue, behind everything already ready (as nsqd requeues to the channel's tail).</summary>
    public void Append(in QueuedMessage message)
    {
        _entries.Enqueue(new Entry(null, message));
        Count++;
    }

    public bool TryDequeue(out QueuedMessage message)
    {
        if (!_entries.TryPeek(out var head))
        {
            message = default;
            return false;
        }
        Count--;
        if (head.Segment is not { } segment)
        {
            _entries.Dequeue();
            message = head.Message;
            return true;
        }
        var index = _headTaken++;
        // A message that never left its segment has no attempts yet.
        message = new QueuedMessage(segment.FirstId + index, segment.TimestampNs, 0, segment.Batch.Body(index));
        if (_headTaken == segment.Count)
        {
            _entries.Dequeue();
            _headTaken = 0;
        }
        return true;
    }

    /// <summary>The ids still queued, as ranges (a segment's untaken rest is one range), for the channel's cursor.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        var head = true;
        foreach (var entry in _entries)
        {
            if (entry.Segment is { } segment)
                into.Add(new PendingRange(segment.FirstId + (head ? _headTaken : 0), segment.LastId, 0));
            else
                into.Add(new PendingRange(entry.Message.Id, entry.Message.Id, 0));
            head = false;
        }
    }

    public void Clear()
    {
        _entries.Clear();
        _headTaken = 0;
        Count = 0;
    }

    private readonly record struct Entry(MessageSegment? Segment, QueuedMessage Message);
}
