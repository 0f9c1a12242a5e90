using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Channels;

/// <summary>--mem-queue-size on a channel whose messages are in the log: bodies beyond the limit are dropped and only
/// their ids kept (stored segments, counted in backend_depth), in order behind what is in memory, and put back in
/// place when read from the log.</summary>
public class ChannelQueueSpillTests
{
    private const long Now = 1_000_000;
    private const int Timeout = 1_000;

    private static ChannelQueue Queue(int memoryLimit, params MessageSegment[] segments)
    {
        var queue = new ChannelQueue(5_000) { MemoryLimit = memoryLimit };
        queue.Enqueue(segments, Now);
        return queue;
    }

    private static StoredBatch Stored(MessageSegment segment) =>
        new(segment.FirstId, segment.Count, segment.TimestampNs, 0, false, segment.Batch!.Data, segment.Batch.Ends);

    [Fact]
    public void Segments_beyond_the_memory_limit_keep_only_their_ids_and_count_in_backend_depth()
    {
        var queue = Queue(10, Segments.Of(100, 5), Segments.Of(105, 5), Segments.Of(110, 5), Segments.Of(115, 5));

        Assert.Equal(20, queue.Depth);
        Assert.Equal(10, queue.BackendDepth);
        var stored = queue.FirstStored();
        Assert.NotNull(stored);
        Assert.True(stored.IsStored);
        Assert.Equal((110L, 119L, 10), (stored.FirstId, stored.LastId, stored.Count));
    }

    [Fact]
    public void Once_something_is_stored_later_segments_are_stored_too_so_the_order_holds()
    {
        var queue = Queue(10, Segments.Of(100, 8), Segments.Of(108, 5));
        queue.Lease(8, Timeout, Now);

        queue.Enqueue([Segments.Of(113, 1)], Now);

        Assert.Equal(6, queue.BackendDepth);
        Assert.Equal((108L, 113L), (queue.FirstStored()!.FirstId, queue.FirstStored()!.LastId));
    }

    [Fact]
    public void A_stored_head_cannot_be_leased_until_it_is_read_back_in_place()
    {
        var segments = new[] { Segments.Of(100, 5), Segments.Of(105, 5), Segments.Of(110, 5) };
        var queue = Queue(5, segments);
        Assert.Equal(5, queue.Lease(100, Timeout, Now).Messages.Length);
        Assert.False(queue.CanLease);
        Assert.True(queue.NeedsRefill);

        // The log returns both stored batches; the read covers the whole stored entry.
        var read = StoredBatchReader.Split([Stored(segments[1]), Stored(segments[2])], 105, 114, complete: true, Now);
        Assert.True(queue.ApplyStoredRead(105, read));

        Assert.Equal(0, queue.BackendDepth);
        Assert.True(queue.CanLease);
        Assert.Equal([105L, 106, 107, 108, 109, 110, 111, 112, 113, 114], queue.Lease(100, Timeout, Now).Ids());
    }

    [Fact]
    public void A_partial_read_leaves_the_rest_stored()
    {
        var segments = new[] { Segments.Of(100, 5), Segments.Of(105, 5), Segments.Of(110, 5) };
        var queue = Queue(5, segments);
        queue.Lease(100, Timeout, Now);

        // Only one batch came back (the read was limited): ids up to 109 are read, 110..114 stay stored.
        var read = StoredBatchReader.Split([Stored(segments[1])], 105, 114, complete: false, Now);
        Assert.True(queue.ApplyStoredRead(105, read));

        Assert.Equal(5, queue.BackendDepth);
        Assert.Equal([105L, 106, 107, 108, 109], queue.Lease(100, Timeout, Now).Ids());
        Assert.Equal((110L, 114L), (queue.FirstStored()!.FirstId, queue.FirstStored()!.LastId));
    }

    [Fact]
    public void The_cursor_counts_stored_ids_as_pending()
    {
        var queue = Queue(5, Segments.Of(100, 5), Segments.Of(105, 5));
        var leased = queue.Lease(2, Timeout, Now);
        queue.Settle([Segments.Settle(queue, leased.Messages[0].Id, SettlementKind.Finish)], Now);

        var cursor = ChannelCursor.Take(queue, receivedThroughId: 109);

        Assert.Equal(100, cursor.LowWater);
        Assert.Equal([new PendingRange(101, 109, 0)], cursor.Pending);
    }

    [Fact]
    public void Without_a_memory_limit_nothing_is_stored()
    {
        var queue = Queue(0, Segments.Of(100, 50_000));

        Assert.Equal(0, queue.BackendDepth);
        Assert.Null(queue.FirstStored());
    }

    [Fact]
    public void A_read_starting_inside_a_batch_keeps_id_order()
    {
        var segments = new[] { Segments.Of(100, 5), Segments.Of(105, 5) };
        var queue = new ChannelQueue(5_000) { MemoryLimit = 5 };
        // As after a restart: the first two of batch 100 were finished, the rest is pending.
        queue.RestoreStored(102, 109, 8);

        var read = StoredBatchReader.Split([Stored(segments[0]), Stored(segments[1])], 102, 109, complete: true, Now);
        Assert.True(queue.ApplyStoredRead(102, read));

        Assert.Equal([102L, 103, 104, 105, 106, 107, 108, 109], queue.Lease(100, Timeout, Now).Ids());
    }
}
