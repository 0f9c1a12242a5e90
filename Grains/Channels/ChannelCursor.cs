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
    /// Refills an empty <paramref name="queue"/> from the log: every message of the channel's batches (not held by the
    /// topic, or released) above the cursor's LowWater that is pending in the cursor or newer than what the channel had
    /// received. Whole ready batches go back as segments; the rest message by message, deferred ones with their due
    /// times. Attempts start again from 0 (they are not stored). No cursor (a crash before the first one was written):
    /// everything stored is delivered again. Returns the received-through id to carry on from.
    /// </summary>
    public static long Restore(ChannelQueue queue, StoredCursor? cursor, IReadOnlyList<StoredBatch> batches, long releasedThroughId,
        long nowUnixMs)
    {
        var lowWater = cursor?.LowWater ?? 0;
        var received = cursor?.ReceivedThroughId ?? 0;
        var pending = cursor?.Pending ?? [];
        var at = 0;
        long DueOf(long id, long batchDue)
        {
            if (id > received) return batchDue > nowUnixMs ? batchDue : 0;
            while (at < pending.Count && pending[at].ToId < id) at++;
            if (at < pending.Count && pending[at].FromId <= id)
                return pending[at].DueUnixMs > nowUnixMs ? pending[at].DueUnixMs : 0;
            return -1; // done
        }

        foreach (var batch in batches)
        {
            if (batch.Held && batch.LastId > releasedThroughId) continue;
            if (batch.LastId <= lowWater) continue;
            var bodies = new Messages.PublishBatch(batch.Data, batch.Ends);
            var dues = new long[batch.Count];
            var wholeReady = batch.FirstId > lowWater;
            for (var i = 0; i < batch.Count; i++)
            {
                var id = batch.FirstId + i;
                dues[i] = id <= lowWater ? -1 : DueOf(id, batch.DueUnixMs);
                if (dues[i] != 0) wholeReady = false;
            }
            if (wholeReady)
            {
                queue.Restore(new Messages.MessageSegment(batch.FirstId, batch.TimestampNs, bodies));
                continue;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                if (dues[i] < 0) continue;
                queue.Restore(new QueuedMessage(batch.FirstId + i, batch.TimestampNs, 0, bodies.Body(i)), dues[i]);
            }
        }
        foreach (var batch in batches)
            if (!batch.Held || batch.LastId <= releasedThroughId) received = Math.Max(received, batch.LastId);
        return Math.Max(received, lowWater);
    }
}
