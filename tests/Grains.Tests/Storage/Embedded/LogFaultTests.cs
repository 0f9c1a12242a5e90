using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Embedded;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>
/// A message log whose commits fail (a full disk, a lost database): publishes are refused with a clear error
/// (E_PUB_FAILED at the gateway) instead of an OK the disk cannot keep, nothing that got OK is lost, and the node
/// publishes again once commits succeed. The fault is injected in front of the real embedded store.
/// </summary>
public sealed class LogFaultTests
{
    /// <summary>The real embedded log store, whose commits fail while <see cref="Failing"/> is set.</summary>
    private sealed class FaultyLogStore(IMessageLogStore inner) : IMessageLogStore
    {
        public static volatile bool Failing;
        // While set, commits of message batches wait for it; Entered tells the test one is waiting.
        public static volatile TaskCompletionSource? Hold;
        public static volatile TaskCompletionSource? Entered;

        public async Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default)
        {
            if (Failing) throw new IOException("disk full (injected)");
            if (Hold is { } hold && writes.Any(w => w is LogWrite.AppendBatch))
            {
                Entered?.TrySetResult();
                await hold.Task;
            }
            await inner.CommitAsync(writes, cancellationToken);
        }

        public Task<long> ReadLastIdAsync(string topic, CancellationToken cancellationToken = default) => inner.ReadLastIdAsync(topic, cancellationToken);
        public Task<long> ReadReleasedThroughAsync(string topic, CancellationToken cancellationToken = default) => inner.ReadReleasedThroughAsync(topic, cancellationToken);
        public Task<StoredCursor?> ReadCursorAsync(string topic, string channel, CancellationToken cancellationToken = default) => inner.ReadCursorAsync(topic, channel, cancellationToken);
        public Task<IReadOnlyList<StoredBatch>> ReadBatchesAsync(string topic, long afterId, int maxBatches, CancellationToken cancellationToken = default) =>
            inner.ReadBatchesAsync(topic, afterId, maxBatches, cancellationToken);
        public Task<IReadOnlyList<StoredRange>> ReadHeldRangesAsync(string topic, CancellationToken cancellationToken = default) => inner.ReadHeldRangesAsync(topic, cancellationToken);
    }

    private static Task<EmbeddedCluster> StartAsync(long memQueueSize) =>
        EmbeddedCluster.StartAsync(o => o.MemQueueSize = memQueueSize, silo => silo.Services.AddSingleton<IMessageLogStore>(services =>
            new FaultyLogStore(new EmbeddedLogStore(services.GetRequiredKeyedService<EmbeddedDatabase>(NsqStateStorage.Name)))));

    private static Task PublishAsync(EmbeddedCluster cluster, string topic, string body) =>
        cluster.Grains.Topic(topic).PublishAsync(new(PublishBatch.Single(Encoding.UTF8.GetBytes(body)))).AsTask();

    /// <summary>Publishes until the log takes it again (its retry runs every half second).</summary>
    private static async Task PublishOnceRecoveredAsync(EmbeddedCluster cluster, string topic, string body)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await PublishAsync(cluster, topic, body);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<HashSet<string>> PullAllAsync(EmbeddedCluster cluster, string topic)
    {
        var batch = await cluster.Grains.Channel(topic, "c").PullAsync(new PullRequest(Guid.NewGuid(), 100, 60_000, 2_000));
        return batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)).ToHashSet();
    }

    [Fact]
    public async Task At_mem_queue_size_0_a_failing_commit_fails_the_publish_and_the_node_recovers()
    {
        await using var cluster = await StartAsync(0);
        var topic = "t" + Guid.NewGuid().ToString("N");
        await cluster.Grains.Topic(topic).CreateChannelAsync("c");
        await PublishAsync(cluster, topic, "before");
        try
        {
            FaultyLogStore.Failing = true;
            var failed = await Assert.ThrowsAnyAsync<Exception>(() => PublishAsync(cluster, topic, "during"));
            Assert.Contains("disk full (injected)", failed.ToString());
            await Assert.ThrowsAnyAsync<Exception>(() => PublishAsync(cluster, topic, "still failing"));
        }
        finally
        {
            FaultyLogStore.Failing = false;
        }
        await PublishOnceRecoveredAsync(cluster, topic, "after");

        await cluster.RestartAsync();

        var bodies = await PullAllAsync(cluster, topic);
        Assert.Contains("before", bodies);
        Assert.Contains("after", bodies);
    }

    /// <summary>Holds every commit of a message batch until the returned scope ends; the task completes when one
    /// commit is waiting.</summary>
    private static (IDisposable Release, Task Entered) HoldCommits()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FaultyLogStore.Entered = entered;
        FaultyLogStore.Hold = hold;
        return (new Releaser(hold), entered.Task);
    }

    private sealed class Releaser(TaskCompletionSource hold) : IDisposable
    {
        public void Dispose()
        {
            FaultyLogStore.Hold = null;
            hold.TrySetResult();
        }
    }

    [Fact]
    public async Task At_mem_queue_size_0_a_publish_completes_only_once_its_batch_is_committed()
    {
        await using var cluster = await StartAsync(0);
        var topic = "t" + Guid.NewGuid().ToString("N");
        await cluster.Grains.Topic(topic).CreateChannelAsync("c");

        var (release, entered) = HoldCommits();
        Task publish;
        using (release)
        {
            publish = PublishAsync(cluster, topic, "durable");
            await entered.WaitAsync(TimeSpan.FromSeconds(30));
            // The commit carrying the batch is under way and held: the publish has not been answered.
            Assert.False(publish.IsCompleted);
        }
        await publish.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["durable"], await PullAllAsync(cluster, topic));
    }

    [Fact]
    public async Task Written_behind_a_publish_completes_while_its_commit_is_still_held_and_reaches_the_channel()
    {
        await using var cluster = await StartAsync(10_000);
        var topic = "t" + Guid.NewGuid().ToString("N");
        await cluster.Grains.Topic(topic).CreateChannelAsync("c");

        var (release, entered) = HoldCommits();
        using (release)
        {
            await PublishAsync(cluster, topic, "one call").WaitAsync(TimeSpan.FromSeconds(30));
            await entered.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(["one call"], await PullAllAsync(cluster, topic));
        }
    }

    [Fact]
    public async Task Written_behind_a_failed_commit_is_tried_again_and_refuses_publishes_meanwhile()
    {
        await using var cluster = await StartAsync(10_000);
        var topic = "t" + Guid.NewGuid().ToString("N");
        await cluster.Grains.Topic(topic).CreateChannelAsync("c");
        try
        {
            FaultyLogStore.Failing = true;
            // Written behind: this OK comes before the commit, which then fails.
            await PublishAsync(cluster, topic, "accepted");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            Exception? refused = null;
            while (refused is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    await PublishAsync(cluster, topic, "probe");
                    await Task.Delay(50);
                }
                catch (Exception ex)
                {
                    refused = ex;
                }
            }
            Assert.NotNull(refused);
        }
        finally
        {
            FaultyLogStore.Failing = false;
        }
        await PublishOnceRecoveredAsync(cluster, topic, "after");

        await cluster.RestartAsync();

        var bodies = await PullAllAsync(cluster, topic);
        Assert.Contains("accepted", bodies);
        Assert.Contains("after", bodies);
    }

    [Fact]
    public async Task Messages_past_the_memory_limit_whose_commit_failed_are_read_back_once_it_succeeds()
    {
        await using var cluster = await StartAsync(2);
        var topic = "t" + Guid.NewGuid().ToString("N");
        await cluster.Grains.Topic(topic).CreateChannelAsync("c");
        var bodies = Enumerable.Range(0, 5).Select(i => $"m{i}").ToArray();
        try
        {
            FaultyLogStore.Failing = true;
            // One MPUB of 5 past a memory limit of 2: the channel keeps only their ids and must read the bodies back
            // from the log, whose commit of them fails. Written behind, so the publish got OK.
            var batch = PublishBatch.From(bodies.Select(Encoding.UTF8.GetBytes).ToArray());
            await cluster.Grains.Topic(topic).PublishAsync(new(batch));
            var whileFailing = await cluster.Grains.Channel(topic, "c").PullAsync(new PullRequest(Guid.NewGuid(), 100, 60_000, 1_500));
            Assert.Empty(whileFailing.Messages);
        }
        finally
        {
            FaultyLogStore.Failing = false;
        }
        // The retried commit lands; the read waits for it instead of taking the ids for messages that are gone.
        var received = await PullAllAsync(cluster, topic);
        Assert.Equal(bodies.ToHashSet(), received);
    }
}
