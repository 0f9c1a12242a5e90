using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// The channel's ready messages in arrival order (nsqd's memoryMsgChan, then its disk queue): whole segments as the
/// topic handed them over, single messages that came back (REQ 0, timeout, due deferred), and stored segments — ids
/// whose bodies wait in the message log (beyond --mem-queue-size), read back by the grain when they near the head.
/// A segment costs one entry however many messages it holds, and touching stored segments merge into one entry, so a
/// backlog of millions costs a few entries. Only the head entry is ever partly consumed.
/// </summary>
internal sealed class ReadyQueue
{
    // A deque: live entries are _entries[_head..]; the consumed front is dropped once it is half the list.
    private readonly List<Entry> _entries = [];
    private int _head;
    // Messages of the head segment already taken.
    private int _headTaken;

    /// <summary>Every ready message, stored ones included (nsqd's depth).</summary>
    public int Count => LoadedCount + StoredCount;

    /// <summary>Ready messages whose bodies are in memory.</summary>
    public int LoadedCount { get; private set; }

    /// <summary>Ready messages whose bodies are in the message log (nsqd's backend_depth).</summary>
    public int StoredCount { get; private set; }

    /// <summary>True when the head message can be taken now (it is in memory).</summary>
    public bool HeadLoaded => _head < _entries.Count && _entries[_head].Segment is not { IsStored: true };

    public void Append(MessageSegment segment)
    {
        if (segment.Count == 0) return;
        if (segment.IsStored)
        {
            AppendStored(segment.FirstId, segment.LastId, segment.Count);
            return;
        }
        _entries.Add(new Entry(segment, default));
        LoadedCount += segment.Count;
    }

    /// <summary>Appends the segment's ids as stored (its bodies are in the log and are dropped here).</summary>
    public void AppendStored(long firstId, long lastId, int count)
    {
        if (count == 0) return;
        if (_head < _entries.Count && _entries[^1].Segment is { IsStored: true } tail && tail.LastId + 1 == firstId)
            _entries[^1] = new Entry(MessageSegment.Stored(tail.FirstId, lastId, tail.Count + count), default);
        else
            _entries.Add(new Entry(MessageSegment.Stored(firstId, lastId, count), default));
        StoredCount += count;
    }

    /// <summary>A message back in the queue, behind everything already ready (as nsqd requeues to the channel's tail).</summary>
    public void Append(in QueuedMessage message)
    {
        _entries.Add(new Entry(null, message));
        LoadedCount++;
    }

    public bool TryDequeue(out QueuedMessage message)
    {
        if (!HeadLoaded)
        {
            message = default;
            return false;
        }
        var head = _entries[_head];
        LoadedCount--;
        if (head.Segment is not { } segment)
        {
            PopHead();
            message = head.Message;
            return true;
        }
        var index = _headTaken++;
        // A message that never left its segment has no attempts yet.
        message = new QueuedMessage(segment.FirstId + index, segment.TimestampNs, 0, segment.Batch!.Body(index), segment.Countdown);
        if (_headTaken == segment.Count)
        {
            PopHead();
            _headTaken = 0;
        }
        return true;
    }

    /// <summary>The first stored entry, to be read back; null when nothing is stored.</summary>
    public MessageSegment? FirstStored()
    {
        for (var i = _head; i < _entries.Count; i++)
            if (_entries[i].Segment is { IsStored: true } stored) return stored;
        return null;
    }

    /// <summary>Puts what was read back from the log for ids <paramref name="firstId"/> … <paramref name="readThroughId"/>
    /// of the stored entry starting at <paramref name="firstId"/> in its place; what it has beyond stays stored
    /// (segments appended meanwhile may have merged into it). <paramref name="found"/> counts the messages the read
    /// covered, deferred ones included. False when the entry is gone (emptied meanwhile).</summary>
    public bool ReplaceStored(long firstId, long readThroughId, int found,
        IReadOnlyList<(MessageSegment? Segment, QueuedMessage Single)> loaded)
    {
        var at = -1;
        for (var i = _head; i < _entries.Count; i++)
        {
            if (_entries[i].Segment is { IsStored: true } candidate && candidate.FirstId == firstId)
            {
                at = i;
                break;
            }
        }
        if (at < 0) return false;
        var stored = _entries[at].Segment!;
        var replacement = new List<Entry>(loaded.Count + 1);
        foreach (var (segment, single) in loaded)
        {
            replacement.Add(new Entry(segment, single));
            LoadedCount += segment?.Count ?? 1;
        }
        StoredCount -= stored.Count;
        if (readThroughId < stored.LastId)
        {
            var rest = MessageSegment.Stored(readThroughId + 1, stored.LastId, Math.Max(1, stored.Count - found));
            replacement.Add(new Entry(rest, default));
            StoredCount += rest.Count;
        }
        _entries.RemoveAt(at);
        _entries.InsertRange(at, replacement);
        return true;
    }

    /// <summary>The ids still queued, as ranges (a segment's untaken rest is one range), for the channel's cursor.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        for (var i = _head; i < _entries.Count; i++)
        {
            var entry = _entries[i];
            if (entry.Segment is { } segment)
                into.Add(new PendingRange(segment.FirstId + (i == _head ? _headTaken : 0), segment.LastId, 0));
            else
                into.Add(new PendingRange(entry.Message.Id, entry.Message.Id, 0));
        }
    }

    public void Clear()
    {
        _entries.Clear();
        _head = 0;
        _headTaken = 0;
        LoadedCount = 0;
        StoredCount = 0;
    }

    private void PopHead()
    {
        _entries[_head] = default;
        _head++;
        if (_head == _entries.Count)
        {
            _entries.Clear();
            _head = 0;
        }
        else if (_head >= 1024 && _head * 2 >= _entries.Count)
        {
            _entries.RemoveRange(0, _head);
            _head = 0;
        }
    }

    private readonly record struct Entry(MessageSegment? Segment, QueuedMessage Message);
}
