namespace OrleansNsq.Messages;

/// <summary>
/// A published batch after its topic accepted it: message i has id <c>FirstId + i</c> and the segment's timestamp.
/// The topic hands the same immutable segment to every channel (a copy per channel costs nothing locally).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.MessageSegment")]
public sealed class MessageSegment(long firstId, long timestampNs, PublishBatch batch)
{
    /// <summary>Id of the first message; ids grow by one per message within a topic.</summary>
    [Id(0)] public long FirstId { get; } = firstId;

    /// <summary>Publish time, Unix nanoseconds (the NSQ message frame's timestamp).</summary>
    [Id(1)] public long TimestampNs { get; } = timestampNs;

    [Id(2)] public PublishBatch Batch { get; } = batch;

    public int Count => Batch.Count;
    public long LastId => FirstId + Batch.Count - 1;
}
