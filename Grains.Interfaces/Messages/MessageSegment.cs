namespace OrleansNsq.Messages;

/// <summary>
/// A published batch after its topic accepted it: message i has id <c>FirstId + i</c> and the segment's timestamp.
/// The topic hands the same immutable segment to every channel (a copy per channel costs nothing locally).
/// A <em>stored</em> segment carries no bodies: it stands for the topic's batches in the message log with ids
/// <c>FirstId … LastId</c> (memory beyond --mem-queue-size), which whoever delivers them reads back on demand.
/// Internal to the topic → channel hand-over; a .NET service never builds one.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.MessageSegment")]
public sealed class MessageSegment
{
    public MessageSegment(long firstId, long timestampNs, PublishBatch batch)
    {
        FirstId = firstId;
        TimestampNs = timestampNs;
        Batch = batch;
    }

    private MessageSegment(long firstId, long lastId, int storedCount)
    {
        FirstId = firstId;
        StoredLastId = lastId;
        StoredCount = storedCount;
    }

    /// <summary>Ids <paramref name="firstId"/> … <paramref name="lastId"/> in the message log, <paramref name="count"/>
    /// messages (fewer than the ids when some batches in between are gone or belong to others).</summary>
    public static MessageSegment Stored(long firstId, long lastId, int count) => new(firstId, lastId, count);

    /// <summary>Id of the first message; ids grow by one per message within a topic.</summary>
    [Id(0)] public long FirstId { get; }

    /// <summary>Publish time, Unix nanoseconds (the NSQ message frame's timestamp). 0 for a stored segment (each stored
    /// batch has its own).</summary>
    [Id(1)] public long TimestampNs { get; }

    /// <summary>The bodies; null for a stored segment.</summary>
    [Id(2)] public PublishBatch? Batch { get; }

    /// <summary>Messages of a stored segment; 0 for one with bodies.</summary>
    [Id(3)] public int StoredCount { get; }

    /// <summary>Last id of a stored segment; 0 for one with bodies.</summary>
    [Id(4)] public long StoredLastId { get; }

    /// <summary>True when the bodies are in the message log, not here.</summary>
    public bool IsStored => Batch is null;

    /// <summary>Messages in the segment.</summary>
    public int Count => Batch?.Count ?? StoredCount;

    /// <summary>Id of the last message.</summary>
    public long LastId => Batch is null ? StoredLastId : FirstId + Batch.Count - 1;

    /// <summary>Set by a topic whose log writes the segment behind: the channels count its messages down as they are
    /// finished. Not serialized: a copy on another silo has none, and its log writes the segment as before.</summary>
    [NonSerialized] internal SettleCountdown? Countdown;
}
