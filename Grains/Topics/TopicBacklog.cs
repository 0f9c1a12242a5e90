namespace OrleansNsq.Grains.Topics;

/// <summary>Messages the topic holds itself while it has no channel or is paused (counted in topic depth); handed out
/// whole, as segments, when a first channel appears or the topic is unpaused.</summary>
internal sealed class TopicBacklog
{
    private readonly List<MessageSegment> _segments = [];

    /// <summary>Messages held (topic depth).</summary>
    public long Count { get; private set; }

    /// <summary>The first held id, null when nothing is held.</summary>
    public long? FirstId => _segments.Count > 0 ? _segments[0].FirstId : null;

    public void Add(MessageSegment segment)
    {
        if (segment.Count == 0) return;
        _segments.Add(segment);
        Count += segment.Count;
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
    }
}
