namespace OrleansNsq.Grains.Tests.Channels;

public class ChannelQueueTests
{
    private const long Now = 1_000_000;
    private const int Timeout = 1_000;
    private const long MaxMsgTimeout = 5_000;

    private static ChannelQueue Queue(params MessageSegment[] segments)
    {
        var queue = new ChannelQueue(MaxMsgTimeout);
        queue.Enqueue(segments, Now);
        return queue;
    }

    [Fact]
    public void Lease_takes_up_to_max_count_in_order_with_attempts_1_and_a_deadline()
    {
        var queue = Queue(Segments.Of(100, 3), Segments.Of(103, 2));

        var batch = queue.Lease(4, Timeout, Now);

        Assert.Equal([100L, 101, 102, 103], batch.Ids());
        Assert.All(batch.Messages, m => Assert.Equal(1, m.Attempts));
        Assert.All(batch.Messages, m => Assert.Equal(Segments.TimestampNs, m.TimestampNs));
        Assert.Equal("m102", batch.Messages[2].Text());
        Assert.Equal(Now + Timeout, batch.DeadlineUnixMs);
        Assert.Equal(1, queue.Depth);
        Assert.Equal(4, queue.InFlightCount);
        Assert.Equal(5, queue.MessageCount);
    }

    [Fact]
    public void Lease_bodies_are_slices_of_the_published_data_not_copies()
    {
        var segment = Segments.Of(1, 2);
        var queue = Queue(segment);

        var batch = queue.Lease(2, Timeout, Now);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(batch.Messages[1].Body, out var slice));
        Assert.Same(segment.Batch!.Data, slice.Array);
        Assert.Equal(segment.Batch!.StartOf(1), slice.Offset);
    }

    [Fact]
    public void Lease_stays_below_the_large_object_heap_however_much_credit_is_asked()
    {
        var queue = Queue(Segments.Of(1, 2_500));

        var batch = queue.Lease(2_500, Timeout, Now);

        Assert.Equal(ChannelQueue.MaxLeaseCount, batch.Count);
        Assert.True(System.Runtime.CompilerServices.Unsafe.SizeOf<DeliveredMessage>() * batch.Count < 85_000);
        Assert.Equal(500, queue.Depth);
    }

    [Fact]
    public void Lease_of_an_empty_queue_is_the_empty_batch()
    {
        Assert.Same(DeliveryBatch.Empty, Queue().Lease(10, Timeout, Now));
    }

    [Fact]
    public void Lease_without_timeout_uses_the_default_and_caps_at_max_msg_timeout()
    {
        var queue = new ChannelQueue(MaxMsgTimeout, defaultMsgTimeoutMs: 700);
        queue.Enqueue([Segments.Of(1, 2)], Now);

        Assert.Equal(Now + 700, queue.Lease(1, 0, Now).DeadlineUnixMs);
        Assert.Equal(Now + MaxMsgTimeout, queue.Lease(1, 60_000, Now).DeadlineUnixMs);
    }

    [Fact]
    public void Fin_removes_from_flight_and_unknown_ids_are_ignored()
    {
        var queue = Queue(Segments.Of(1, 3));
        queue.Lease(3, Timeout, Now);

        queue.Settle(Segments.Fin(queue, 1, 2, 999), Now);

        Assert.Equal(1, queue.InFlightCount);
        Assert.Equal(0, queue.Depth);
        Assert.Equal(0, queue.ProcessDue(Now + Timeout - 1));
    }

    [Fact]
    public void Req_0_makes_the_message_ready_at_once_and_redelivery_counts_attempt_2()
    {
        var queue = Queue(Segments.Of(7, 1));
        queue.Lease(1, Timeout, Now);

        var readied = queue.Settle([Segments.Settle(queue, 7, SettlementKind.Requeue)], Now + 10);
        var again = queue.Lease(1, Timeout, Now + 20);

        Assert.Equal(1, readied);
        Assert.Equal(7, Assert.Single(again.Messages).Id);
        Assert.Equal(2, again.Messages[0].Attempts);
        Assert.Equal(Segments.TimestampNs, again.Messages[0].TimestampNs);
        Assert.Equal(1, queue.RequeueCount);
        Assert.Equal(0, queue.TimeoutCount);
        Assert.Equal(1, queue.MessageCount);
    }

    [Fact]
    public void Req_with_delay_defers_until_due_then_the_message_is_ready()
    {
        var queue = Queue(Segments.Of(7, 1));
        queue.Lease(1, Timeout, Now);

        var readied = queue.Settle([Segments.Settle(queue, 7, SettlementKind.Requeue, 500)], Now);

        Assert.Equal(0, readied);
        Assert.Equal((0, 0, 1), (queue.Depth, queue.InFlightCount, queue.DeferredCount));
        Assert.Equal(0, queue.ProcessDue(Now + 499));
        Assert.Equal(1, queue.ProcessDue(Now + 500));
        Assert.Equal((1, 0), (queue.Depth, queue.DeferredCount));
        Assert.Equal(2, queue.Lease(1, Timeout, Now + 500).Messages[0].Attempts);
        Assert.Equal(1, queue.RequeueCount);
    }

    [Fact]
    public void Timed_out_message_is_requeued_with_timeout_count_and_attempts_2_on_redelivery()
    {
        var queue = Queue(Segments.Of(1, 2));
        queue.Lease(2, Timeout, Now);
        queue.Settle(Segments.Fin(queue, 2), Now);

        Assert.Equal(0, queue.ProcessDue(Now + Timeout - 1));
        Assert.Equal(1, queue.ProcessDue(Now + Timeout));

        Assert.Equal((1, 0, 1L, 0L), (queue.Depth, queue.InFlightCount, queue.TimeoutCount, queue.RequeueCount));
        var again = queue.Lease(5, Timeout, Now + Timeout);
        Assert.Equal(1, Assert.Single(again.Messages).Id);
        Assert.Equal(2, again.Messages[0].Attempts);
    }

    [Fact]
    public void Touch_extends_the_deadline_by_the_given_timeout()
    {
        var queue = Queue(Segments.Of(1, 1));
        queue.Lease(1, Timeout, Now);

        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Touch, Timeout)], Now + 900);

        Assert.Equal(0, queue.ProcessDue(Now + Timeout));
        Assert.Equal(0, queue.ProcessDue(Now + 900 + Timeout - 1));
        Assert.Equal(1, queue.ProcessDue(Now + 900 + Timeout));
    }

    [Fact]
    public void Touch_without_timeout_renews_by_the_lease_timeout()
    {
        var queue = Queue(Segments.Of(1, 1));
        queue.Lease(1, Timeout, Now);

        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Touch)], Now + 500);

        Assert.Equal(0, queue.ProcessDue(Now + 500 + Timeout - 1));
        Assert.Equal(1, queue.ProcessDue(Now + 500 + Timeout));
    }

    [Fact]
    public void Touch_never_extends_beyond_delivery_time_plus_max_msg_timeout()
    {
        var queue = Queue(Segments.Of(1, 1));
        queue.Lease(1, Timeout, Now);

        for (var t = Now + 800; t < Now + MaxMsgTimeout; t += 800)
        {
            queue.Settle([Segments.Settle(queue, 1, SettlementKind.Touch, Timeout)], t);
            Assert.Equal(0, queue.ProcessDue(t));
        }

        Assert.Equal(0, queue.ProcessDue(Now + MaxMsgTimeout - 1));
        Assert.Equal(1, queue.ProcessDue(Now + MaxMsgTimeout));
    }

    [Fact]
    public void Release_returns_the_message_without_counting_the_attempt_or_a_requeue()
    {
        var queue = Queue(Segments.Of(1, 1));
        queue.Lease(1, Timeout, Now);

        Assert.Equal(1, queue.Settle([Segments.Settle(queue, 1, SettlementKind.Release)], Now));

        Assert.Equal(1, queue.Lease(1, Timeout, Now).Messages[0].Attempts);
        Assert.Equal((0L, 0L), (queue.RequeueCount, queue.TimeoutCount));
    }

    [Fact]
    public void Requeued_message_goes_behind_messages_already_ready()
    {
        var queue = Queue(Segments.Of(1, 3));
        queue.Lease(1, Timeout, Now);

        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Requeue)], Now);

        Assert.Equal([2L, 3, 1], queue.Lease(10, Timeout, Now).Ids());
    }

    [Fact]
    public void Settling_an_id_twice_acts_once()
    {
        var queue = Queue(Segments.Of(1, 1));
        queue.Lease(1, Timeout, Now);

        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Requeue), Segments.Settle(queue, 1, SettlementKind.Requeue)], Now);

        Assert.Equal((1, 1L), (queue.Depth, queue.RequeueCount));
    }

    [Fact]
    public void Deferred_segment_waits_in_the_deferred_queue_until_due()
    {
        var queue = Queue(Segments.Of(1, 2, deferMs: 300), Segments.Of(3, 1));

        Assert.Equal((1, 2, 3L), (queue.Depth, queue.DeferredCount, queue.MessageCount));
        Assert.Equal([3L], queue.Lease(10, Timeout, Now).Ids());
        Assert.Equal(0, queue.ProcessDue(Now + 299));
        Assert.Equal(2, queue.ProcessDue(Now + 300));
        var due = queue.Lease(10, Timeout, Now + 300);
        Assert.Equal([1L, 2], due.Ids());
        Assert.All(due.Messages, m => Assert.Equal(1, m.Attempts));
    }

    [Fact]
    public void Paused_queue_leases_nothing_but_settles_in_flight()
    {
        var queue = Queue(Segments.Of(1, 3));
        queue.Lease(1, Timeout, Now);

        queue.Paused = true;
        Assert.False(queue.CanLease);
        Assert.Same(DeliveryBatch.Empty, queue.Lease(10, Timeout, Now));
        queue.Settle(Segments.Fin(queue, 1), Now);
        Assert.Equal(0, queue.InFlightCount);

        queue.Paused = false;
        Assert.Equal([2L, 3], queue.Lease(10, Timeout, Now).Ids());
    }

    [Fact]
    public void Empty_drops_ready_in_flight_and_deferred_and_later_settles_are_ignored()
    {
        var queue = Queue(Segments.Of(1, 3), Segments.Of(4, 1, deferMs: 100));
        queue.Lease(1, Timeout, Now);

        queue.Empty();
        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Requeue)], Now);

        Assert.Equal((0, 0, 0), (queue.Depth, queue.InFlightCount, queue.DeferredCount));
        Assert.False(queue.HasTimedWork);
        Assert.Equal(0, queue.ProcessDue(Now + 10 * Timeout));
        Assert.Equal(0L, queue.RequeueCount);
        Assert.Equal(4L, queue.MessageCount);
    }

    [Fact]
    public void Has_timed_work_while_something_is_in_flight_or_deferred()
    {
        var queue = Queue(Segments.Of(1, 1));
        Assert.False(queue.HasTimedWork);
        queue.Lease(1, Timeout, Now);
        Assert.True(queue.HasTimedWork);
        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Requeue, 100)], Now);
        Assert.True(queue.HasTimedWork);
        queue.ProcessDue(Now + 100);
        Assert.False(queue.HasTimedWork);
    }

    [Fact]
    public void Fin_settles_the_segment_countdown_once_per_message_across_leases_requeues_and_timeouts()
    {
        var first = Segments.Of(1, 3);
        var second = Segments.Of(4, 3);
        first.Countdown = new SettleCountdown(3);
        second.Countdown = new SettleCountdown(3);
        var queue = Queue(first, second);

        var batch = queue.Lease(5, Timeout, Now);
        Assert.Equal([1L, 2, 3, 4, 5], batch.Ids());
        queue.Settle([.. Segments.Fin(queue, 1, 1, 4), Segments.Settle(queue, 2, SettlementKind.Requeue), Segments.Settle(queue, 5, SettlementKind.Release)], Now);
        queue.ProcessDue(Now + Timeout); // 3 times out
        Assert.False(first.Countdown.IsSettled);
        Assert.False(second.Countdown.IsSettled);

        var again = queue.Lease(10, Timeout, Now + Timeout);
        Assert.Equal([6L, 2, 5, 3], again.Ids());
        queue.Settle(Segments.Fin(queue, 6, 2, 5, 3, 2, 6, 3), Now + Timeout);

        Assert.Equal(0, queue.InFlightCount);
        Assert.True(first.Countdown.IsSettled);
        Assert.True(second.Countdown.IsSettled);
    }

    [Fact]
    public void Release_of_one_message_of_a_lease_leaves_the_others_in_flight_until_their_deadline()
    {
        var queue = Queue(Segments.Of(1, 4));
        queue.Lease(4, Timeout, Now);

        Assert.Equal(1, queue.Settle([Segments.Settle(queue, 3, SettlementKind.Release)], Now));

        Assert.Equal(3, queue.InFlightCount);
        var released = queue.Lease(4, Timeout, Now);
        Assert.Equal([3L], released.Ids());
        Assert.Equal(1, released.Messages[0].Attempts);
        Assert.Equal(4, queue.ProcessDue(Now + Timeout));
        Assert.Equal([1L, 2, 4, 3], queue.Lease(4, Timeout, Now + Timeout).Ids());
        Assert.Equal(4, queue.TimeoutCount);
    }

    [Fact]
    public void Settlements_with_the_token_of_an_earlier_delivery_are_refused_and_the_new_lease_stays()
    {
        var queue = Queue(Segments.Of(7, 1));
        var first = queue.Lease(1, Timeout, Now).Messages[0];
        Assert.Equal(1, queue.ProcessDue(Now + Timeout)); // timed out: ready again
        var second = queue.Lease(1, Timeout, Now + Timeout).Messages[0];
        Assert.NotEqual(first.LeaseToken, second.LeaseToken);

        List<int>? refused = null;
        queue.Settle([Settlement.Fin(first), Settlement.Touch(first), Settlement.Req(first), new Settlement(7, 0, SettlementKind.Finish)],
            Now + Timeout + 1, 0, ref refused);

        Assert.Equal([0, 1, 2, 3], refused!);
        Assert.Equal((1, 0L), (queue.InFlightCount, queue.RequeueCount));
        refused = null;
        queue.Settle([Settlement.Fin(second)], Now + Timeout + 2, 0, ref refused);
        Assert.Null(refused);
        Assert.Equal(0, queue.InFlightCount);
    }

    [Fact]
    public void Every_lease_has_its_own_token_shared_by_its_messages_and_a_wrong_one_settles_nothing_of_a_block()
    {
        var queue = Queue(Segments.Of(1, 6));
        var a = queue.Lease(3, Timeout, Now);
        var b = queue.Lease(3, Timeout, Now);
        Assert.All(a.Messages, m => Assert.Equal(a.Messages[0].LeaseToken, m.LeaseToken));
        Assert.NotEqual(0, a.Messages[0].LeaseToken);
        Assert.NotEqual(a.Messages[0].LeaseToken, b.Messages[0].LeaseToken);

        List<int>? refused = null;
        queue.Settle([new Settlement(2, b.Messages[0].LeaseToken, SettlementKind.Finish), Settlement.Fin(a.Messages[1])], Now, 0, ref refused);

        Assert.Equal([0], refused!);
        Assert.Equal(5, queue.InFlightCount);
    }
}
