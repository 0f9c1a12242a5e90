namespace OrleansNsq.Grains.Storage.Log;

public static class MessageLogStoreExtensions
{
    /// <summary>Batches per read: bounds the memory one read takes however long the backlog.</summary>
    private const int BatchesPerRead = 256;

    /// <summary>Calls <paramref name="each"/> for the topic's batches past <paramref name="afterId"/> in id order, up
    /// to the one holding <paramref name="throughId"/>, reading <see cref="BatchesPerRead"/> at a time.</summary>
    public static async Task ForEachBatchAsync(this IMessageLogStore store, string topic, long afterId, long throughId,
        Action<StoredBatch> each, CancellationToken cancellationToken = default)
    {
        while (afterId < throughId)
        {
            var batches = await store.ReadBatchesAsync(topic, afterId, BatchesPerRead, cancellationToken);
            foreach (var batch in batches)
            {
                if (batch.FirstId > throughId) return;
                each(batch);
                afterId = batch.LastId;
            }
            if (batches.Count < BatchesPerRead) return;
        }
    }
}
