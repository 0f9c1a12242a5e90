using Microsoft.Extensions.Logging.Abstractions;
using OrleansNsq.Grains.Storage.Log;
using OrleansNsq.Grains.Tests.Channels;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>
/// Written behind, a batch that every channel finished before the log reached it is left out of the commit (nsqd
/// writes nothing while its consumers keep up); anything a channel still owes, or keeps only in the log, is written.
/// </summary>
public sealed class SparedBatchTests
{
    /// <summary>Records what each commit carried; the first commit waits until the test lets it go.</summary>
    private sealed class HeldStore : WriteOnlyStore
    {
        public readonly TaskCompletionSource FirstEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource ReleaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<long> CommittedFirstIds = [];
        private int _commits;

        public override async Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _commits) == 1)
            {
                FirstEntered.TrySetResult();
                await ReleaseFirst.Task;
            }
            lock (CommittedFirstIds)
                foreach (var write in writes)
                    if (write is LogWrite.AppendBatch append) CommittedFirstIds.Add(append.FirstId);
        }
    }

    private static LogWrite.AppendBatch Append(MessageSegment segment) =>
        new("t", segment.FirstId, segment.Count, segment.TimestampNs, 0, false, segment.Batch!.Data, segment.Batch.Ends)
        {
            Countdown = segment.Countdown,
        };

    private static MessageSegment Handed(long firstId, int count, int channels)
    {
        var segment = Segments.Of(firstId, count);
        segment.Countdown = new SettleCountdown(count * channels);
        return segment;
    }

    /// <summary>Leases everything ready and finishes it.</summary>
    private static void FinishAll(ChannelQueue channel)
    {
        var leased = channel.Lease(ChannelQueue.MaxLeaseCount, 60_000, 0);
        channel.Settle(Segments.Fin(leased.Messages), 0);
    }

    [Fact]
    public async Task A_batch_every_channel_finished_while_it_waited_for_the_log_is_not_written()
    {
        var store = new HeldStore();
        await using var log = new MessageLog(store, NullLogger<MessageLog>.Instance);
        // The first commit is held, so the next batches wait for the log as they do under load.
        log.Append(Append(Segments.Of(1, 1)));
        await store.FirstEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var finished = Handed(2, 3, channels: 2);
        var owed = Handed(5, 2, channels: 2);
        log.Append(Append(finished));
        var last = log.Append(Append(owed));
        var first = new ChannelQueue(900_000);
        var second = new ChannelQueue(900_000);
        foreach (var channel in new[] { first, second })
        {
            channel.Enqueue([finished], 0);
            FinishAll(channel);
            channel.Enqueue([owed], 0);
        }
        FinishAll(first); // the second channel still owes "owed"

        store.ReleaseFirst.SetResult();
        await log.WhenDurableAsync(last).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1L, 5L], store.CommittedFirstIds);
        Assert.Equal(1, log.SparedBatches);
    }

    [Fact]
    public void A_message_counts_down_once_when_finished_and_not_when_requeued_or_timed_out()
    {
        var segment = Handed(1, 2, channels: 1);
        var channel = new ChannelQueue(900_000);
        channel.Enqueue([segment], 0);

        var leased = channel.Lease(10, 1_000, 0);
        channel.Settle([Segments.Settle(channel, 1, SettlementKind.Requeue)], 0);
        channel.ProcessDue(5_000); // message 2 times out
        Assert.False(segment.Countdown!.IsSettled);

        FinishAll(channel);
        Assert.True(segment.Countdown.IsSettled);
        channel.Settle(Segments.Fin(leased.Messages), 6_000); // late FINs of ids no longer in flight change nothing
        Assert.True(segment.Countdown.IsSettled);
    }

    [Fact]
    public void A_segment_a_channel_keeps_only_in_the_log_is_always_written()
    {
        var segment = Handed(1, 3, channels: 1);
        var channel = new ChannelQueue(900_000) { MemoryLimit = 2 };

        channel.Enqueue([segment], 0);

        Assert.Equal(3, channel.BackendDepth);
        Assert.False(segment.Countdown!.IsSettled);
    }
}
