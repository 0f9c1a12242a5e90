using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// A channel's progress against the message log (<see cref="LogWrite.SaveCursor"/>): taken from its queue as it is
/// now, and turned back into a queue from the cursor and the topic's stored batches on activation.
/// </summary>
internal static class ChannelCursor
{
    /// <summary>The cursor of <paramref name="queue"/>: what is ready, in flight (stored as ready) or deferred, as
    /// sorted ranges merged where ids touch and due times agree. LowWater is just below the first pending id, or
    /// <paramref name="receivedThroughId"/> when nothing is pending.</summary>
    public static StoredCursor Take(ChannelQueue queue, long receivedThroughId)
    {
        var ranges = new List<PendingRange>();
        queue.CollectRanges(ranges);
        ranges.Sort(static (a, b) => a.FromId.CompareTo(b.FromId));
        var merged = new List<PendingRange>(ranges.Count);
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && merged[^1].ToId + 1 == range.FromId && merged[^1].DueUnixMs == range.DueUnixMs)
                merged[^1] = merged[^1] with { ToId = range.ToId };
            else
                merged.Add(range);
        }
        var lowWater = merged.Count > 0 ? Math.Min(merged[0].FromId - 1, receivedThroughId) : receivedThroughId;
        return new StoredCursor(lowWater, receivedThroughId, merged);
    }

    /// <summary>
    /// Refills an empty <paramref name="queue"/> from the cursor and the log on activation, in bounded memory: ready
    /// ids of the cursor become stored entries (read back on demand), deferred ones are read now with their due times,
    /// and the topic's batches newer than what the channel had received (a crash before its last cursor write) are
    /// read now — whole, or stored past the queue's memory limit — unless the topic still holds them.
    /// Attempts start again from 0 (they are not stored). No cursor (a crash before the first one was written):
    /// everything stored is delivered again. Returns the received-through id to carry on from.
    /// </summary>
    public static async Task<long> RestoreAsync(ChannelQueue queue, StoredCursor? cursor, IMessageLogStore store, string topic,
        long releasedThroughId, long nowUnixMs, CancellationToken cancellationToken)
    {
        var lowWater = cursor?.LowWater ?? 0;
        var received = cursor?.ReceivedThroughId ?? 0;
        foreach (var range in cursor?.Pending ?? [])
        {
            if (range.DueUnixMs <= nowUnixMs)
            {
                queue.RestoreStored(range.FromId, range.ToId, (int)Math.Min(int.MaxValue, range.ToId - range.FromId + 1));
                continue;
            }
            await store.ForEachBatchAsync(topic, range.FromId - 1, range.ToId, batch =>
            {
                var bodies = new PublishBatch(batch.Data, batch.Ends);
                for (var i = 0; i < batch.Count; i++)
                {
                    var id = batch.FirstId + i;
                    if (id >= range.FromId && id <= range.ToId)
                        queue.Restore(new QueuedMessage(id, batch.TimestampNs, 0, bodies.Body(i)), range.DueUnixMs);
                }
            }, cancellationToken);
        }
        var after = Math.Max(received, lowWater);
        var through = after;
        await store.ForEachBatchAsync(topic, after, long.MaxValue, batch =>
        {
            if (batch.Held && batch.LastId > releasedThroughId) return;
            through = Math.Max(through, batch.LastId);
            var due = batch.DueUnixMs > nowUnixMs ? batch.DueUnixMs : 0;
            if (batch.FirstId > after && due == 0)
            {
                queue.Restore(new MessageSegment(batch.FirstId, batch.TimestampNs, new PublishBatch(batch.Data, batch.Ends)));
                return;
            }
            var bodies = new PublishBatch(batch.Data, batch.Ends);
            for (var i = 0; i < batch.Count; i++)
            {
                var id = batch.FirstId + i;
                if (id > after) queue.Restore(new QueuedMessage(id, batch.TimestampNs, 0, bodies.Body(i)), due);
            }
        }, cancellationToken);
        return through;
    }
}
