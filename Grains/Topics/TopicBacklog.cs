namespace OrleansNsq.Grains.Topics;

/// <summary>Messages the topic holds itself while it has no channel or is paused (counted in topic depth); handed out
/// whole, as segments, when a first channel appears or the topic is unpaused. With a memory limit (a topic whose
/// batches are in the message log), bodies beyond it are dropped and only stored segments (ids) are kept: the channels
/// read them back.</summary>
internal sealed class TopicBacklog
{
    private readonly List<MessageSegment> _segments = [];

    /// <summary>Bodies kept in memory at most (--mem-queue-size); 0 = no limit.</summary>
    public int MemoryLimit { get; set; }

    /// <summary>Messages held (topic depth).</summary>
    public long Count { get; private set; }

    /// <summary>Messages held whose bodies are in the message log only (topic backend_depth).</summary>
    public long StoredCount { get; private set; }

    /// <summary>The first held id, null when nothing is held.</summary>
    public long? FirstId => _segments.Count > 0 ? _segments[0].FirstId : null;

    public void Add(MessageSegment segment)
    {
        if (segment.Count == 0) return;
        var loaded = Count - StoredCount;
        if (segment.IsStored || (MemoryLimit > 0 && segment.Batch!.DeferMs == 0 && (StoredCount > 0 || loaded + segment.Count > MemoryLimit)))
        {
            AddStored(segment.FirstId, segment.LastId, segment.Count);
            return;
        }
        _segments.Add(segment);
        Count += segment.Count;
    }

    /// <summary>Held ids whose bodies are in the message log; touching ranges merge.</summary>
    public void AddStored(long firstId, long lastId, int count)
    {
        if (_segments.Count > 0 && _segments[^1] is { IsStored: true } tail && tail.LastId + 1 == firstId)
            _segments[^1] = MessageSegment.Stored(tail.FirstId, lastId, tail.Count + count);
        else
            _segments.Add(MessageSegment.Stored(firstId, lastId, count));
        Count += count;
        StoredCount += count;
    }

    /// <summary>Removes and returns everything held, oldest first.</summary>
    public MessageSegment[] TakeAll()
    {
        var all = _segments.ToArray();
        Clear();
        return all;
    }

    public void Clear()
    {
        _segments.Clear();
        Count = 0;
        StoredCount = 0;
    }
}
