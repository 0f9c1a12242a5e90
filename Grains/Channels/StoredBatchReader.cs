using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>What a read of the message log gave back for stored ids: whole batches as segments, messages of batches
/// the range only partly covers one by one, deferred ones (a DPUB batch not yet due) with their due times.</summary>
internal sealed class StoredRead
{
    /// <summary>Ready messages in id order: whole batches as segments, the others one by one (Segment null).</summary>
    public List<(MessageSegment? Segment, QueuedMessage Single)> Ready { get; } = [];
    public List<(QueuedMessage Message, long DueUnixMs)> Deferred { get; } = [];

    /// <summary>The read covered ids up to here.</summary>
    public long ReadThroughId { get; set; }

    /// <summary>Messages found, deferred ones included.</summary>
    public int Found { get; set; }
}

internal static class StoredBatchReader
{
    /// <summary>Splits <paramref name="batches"/> (in id order, as the store returns them) over ids
    /// <paramref name="fromId"/> … <paramref name="toId"/>. <paramref name="complete"/>: the store returned every batch
    /// past fromId (fewer than asked for), so the read covers the whole range even where no batch is left.</summary>
    public static StoredRead Split(IReadOnlyList<StoredBatch> batches, long fromId, long toId, bool complete, long nowUnixMs)
    {
        var read = new StoredRead { ReadThroughId = complete ? toId : fromId - 1 };
        foreach (var batch in batches)
        {
            if (batch.FirstId > toId) break;
            if (!complete) read.ReadThroughId = Math.Min(toId, batch.LastId);
            if (batch.LastId < fromId) continue;
            var bodies = new PublishBatch(batch.Data, batch.Ends);
            var due = batch.DueUnixMs > nowUnixMs ? batch.DueUnixMs : 0;
            if (batch.FirstId >= fromId && batch.LastId <= toId && due == 0)
            {
                read.Ready.Add((new MessageSegment(batch.FirstId, batch.TimestampNs, bodies), default));
                read.Found += batch.Count;
                continue;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                var id = batch.FirstId + i;
                if (id < fromId || id > toId) continue;
                var message = new QueuedMessage(id, batch.TimestampNs, 0, bodies.Body(i));
                if (due > 0) read.Deferred.Add((message, due));
                else read.Ready.Add((null, message));
                read.Found++;
            }
        }
        return read;
    }
}
