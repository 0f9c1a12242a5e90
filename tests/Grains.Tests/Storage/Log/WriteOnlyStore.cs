using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>A log store for tests that only look at commits: every read finds nothing.</summary>
internal abstract class WriteOnlyStore : IMessageLogStore
{
    public abstract Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default);

    public Task<long> ReadLastIdAsync(string topic, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    public Task<long> ReadReleasedThroughAsync(string topic, CancellationToken cancellationToken = default) => Task.FromResult(0L);
    public Task<StoredCursor?> ReadCursorAsync(string topic, string channel, CancellationToken cancellationToken = default) => Task.FromResult<StoredCursor?>(null);
    public Task<IReadOnlyList<StoredBatch>> ReadBatchesAsync(string topic, long afterId, int maxBatches, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredBatch>>([]);
    public Task<IReadOnlyList<StoredRange>> ReadHeldRangesAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<StoredRange>>([]);
}
