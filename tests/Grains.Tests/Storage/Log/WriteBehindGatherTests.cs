using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>Written behind, the log's writer woken from idle gathers for a moment, so lone publishes share commits.</summary>
public sealed class WriteBehindGatherTests
{
    /// <summary>Counts commits and what each carried.</summary>
    private sealed class CountingStore : WriteOnlyStore
    {
        public readonly List<int> CommitSizes = [];

        public override Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default)
        {
            lock (CommitSizes) CommitSizes.Add(writes.Count);
            return Task.CompletedTask;
        }

        public int Commits
        {
            get { lock (CommitSizes) return CommitSizes.Count; }
        }
    }

    private static LogWrite.AppendBatch Batch(long id) => new("t", id, 1, 1, 0, false, new byte[] { 1 }, new[] { 1 });

    private static async Task UntilAsync(Func<bool> condition, Action? step = null)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            bound.Token.ThrowIfCancellationRequested();
            step?.Invoke();
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Writes_that_follow_a_wake_from_idle_within_the_gather_delay_share_its_commit()
    {
        var store = new CountingStore();
        var time = new FakeTimeProvider();
        await using var log = new MessageLog(store, NullLogger<MessageLog>.Instance, TimeSpan.FromMilliseconds(1), time);
        await log.WhenDurableAsync(log.Append(Batch(1)));
        await UntilAsync(() => log.Idle);

        log.Append(Batch(2));                   // wakes the writer, which gathers
        log.Append(Batch(3));
        var last = log.Append(Batch(4));
        Assert.Equal(1, store.Commits);          // nothing commits before the gather delay has passed

        await UntilAsync(() => store.Commits == 2, () => time.Advance(TimeSpan.FromMilliseconds(1)));
        await log.WhenDurableAsync(last);
        Assert.Equal([1, 3], store.CommitSizes);
    }

    [Fact]
    public async Task Without_a_gather_delay_a_write_is_committed_at_once()
    {
        var store = new CountingStore();
        await using var log = new MessageLog(store, NullLogger<MessageLog>.Instance, TimeSpan.Zero, new FakeTimeProvider());
        await log.WhenDurableAsync(log.Append(Batch(1)));
        await UntilAsync(() => log.Idle);

        await log.WhenDurableAsync(log.Append(Batch(2)));   // no clock moves: it must not wait for one

        Assert.Equal([1, 1], store.CommitSizes);
    }
}
