using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Channels;

public class InFlightTableTests
{
    /// <summary>The lease token of every message these tests lease (the channel's own leases never use 0).</summary>
    private const int NoToken = 0;

    private static InFlightMessage Lease(long now, int timeout) => new(0, 1, default, now, now + timeout, timeout);

    /// <summary>One Lease call's worth of messages, as ChannelQueue hands them to the table.</summary>
    private static void AddLease(InFlightTable table, long[] ids, long now, int timeout, SettleCountdown? countdown = null)
    {
        var messages = ids.Select(id => new DeliveredMessage(id, 7, 1, new byte[] { (byte)id })).ToArray();
        var countdowns = new LeaseCountdowns();
        for (var i = 0; i < ids.Length; i++) countdowns.Set(i, countdown, ids.Length);
        table.Add(messages, countdowns, now, now + timeout, timeout);
    }

    private static long[] Ids(long from, int count) => Enumerable.Range(0, count).Select(i => from + i).ToArray();

    private static List<long> PopAll(InFlightTable table, long now)
    {
        var popped = new List<long>();
        while (table.TryPopExpired(now, out var id, out _)) popped.Add(id);
        return popped;
    }

    private static List<(long, long)> Ranges(InFlightTable table)
    {
        var ranges = new List<PendingRange>();
        table.CollectRanges(ranges);
        return ranges.Select(r => (r.FromId, r.ToId)).Order().ToList();
    }

    [Fact]
    public void Finished_messages_do_not_grow_the_deadline_queue_without_bound()
    {
        var table = new InFlightTable();
        for (long id = 0; id < 100_000; id++)
        {
            table.Add(id, Lease(0, 60_000));
            Assert.True(table.TryRemove(id, NoToken, out _));
        }

        Assert.Equal(0, table.Count);
        Assert.True(table.DeadlineEntries <= 1024 + 1, $"deadline queue holds {table.DeadlineEntries} entries");
    }

    [Fact]
    public void Repeated_touches_do_not_grow_the_deadline_queue_without_bound()
    {
        var table = new InFlightTable();
        table.Add(1, Lease(0, 1_000));
        for (var t = 1; t < 50_000; t++) Assert.True(table.TryTouch(1, NoToken, t, 1_000, long.MaxValue / 2));

        Assert.True(table.DeadlineEntries <= 1024 + 3, $"deadline queue holds {table.DeadlineEntries} entries");
        Assert.False(table.TryPopExpired(50_000 + 998, out _, out _));
        Assert.True(table.TryPopExpired(50_000 + 999, out var id, out _));
        Assert.Equal(1, id);
    }

    [Fact]
    public void Touch_of_an_unknown_id_is_false()
    {
        Assert.False(new InFlightTable().TryTouch(5, NoToken, 0, 1_000, 10_000));
    }

    [Fact]
    public void Expired_messages_pop_in_deadline_order()
    {
        var table = new InFlightTable();
        table.Add(1, Lease(0, 300));
        table.Add(2, Lease(0, 100));
        table.Add(3, Lease(0, 200));

        var popped = new List<long>();
        while (table.TryPopExpired(1_000, out var id, out _)) popped.Add(id);

        Assert.Equal([2L, 3, 1], popped);
    }

    [Fact]
    public void Settling_part_of_a_lease_keeps_the_rest_in_flight()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 200), 0, 1_000);

        for (long id = 2; id <= 200; id += 2) Assert.True(table.TryRemove(id, NoToken, out _));

        Assert.Equal(100, table.Count);
        Assert.False(table.TryRemove(2, NoToken, out _));
        Assert.True(table.TryRemove(199, NoToken, out var message));
        Assert.Equal(new[] { (byte)199 }, message.Body.ToArray());
        Assert.Equal(1_000, message.DeadlineUnixMs);
        Assert.Equal(99, table.Count);
        for (long id = 1; id < 199; id += 2) Assert.True(table.TryRemove(id, NoToken, out _));
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.RunEntries);
        Assert.Empty(PopAll(table, 1_000));
    }

    [Fact]
    public void Expiry_of_a_lease_returns_only_its_unsettled_messages_in_slot_order()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 200), 0, 1_000);
        for (long id = 2; id <= 200; id += 2) table.TryRemove(id, NoToken, out _);

        Assert.Empty(PopAll(table, 999));
        var expired = PopAll(table, 1_000);

        Assert.Equal(Ids(0, 100).Select(i => 1 + 2 * i), expired);
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.RunEntries);
        Assert.False(table.TryRemove(1, NoToken, out _));
    }

    [Fact]
    public void A_touched_message_leaves_its_lease_deadline_for_its_own()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 10), 0, 1_000);

        Assert.True(table.TryTouch(5, NoToken, 900, 1_000, 60_000));

        Assert.Equal([1L, 2, 3, 4, 6, 7, 8, 9, 10], PopAll(table, 1_000));
        Assert.Equal(1, table.Count);
        Assert.Empty(PopAll(table, 1_899));
        Assert.True(table.TryPopExpired(1_900, out var id, out var message));
        Assert.Equal(5, id);
        Assert.Equal(1_900, message.DeadlineUnixMs);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_touch_can_bring_a_deadline_forward_and_never_past_delivery_plus_max_msg_timeout()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 3), 0, 10_000);

        Assert.True(table.TryTouch(2, NoToken, 0, 100, 60_000));
        Assert.True(table.TryTouch(3, NoToken, 900, 1_000, 1_500));

        Assert.Equal([2L], PopAll(table, 100));
        Assert.Equal([3L], PopAll(table, 1_500));
        Assert.Equal([1L], PopAll(table, 10_000));
    }

    [Fact]
    public void Touch_without_a_timeout_renews_by_the_lease_timeout_and_finish_after_touch_forgets_it()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 2), 0, 1_000);

        Assert.True(table.TryTouch(1, NoToken, 500, 0, 60_000));
        Assert.True(table.TryRemove(1, NoToken, out var touched));
        Assert.Equal(1_500, touched.DeadlineUnixMs);

        Assert.Equal([2L], PopAll(table, 1_500));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_message_requeued_and_leased_again_is_found_in_its_new_lease()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 10), 0, 1_000);
        Assert.True(table.TryRemove(3, NoToken, out _)); // REQ 0: ready again, then leased with newer ids

        AddLease(table, [3, 11, 12], 100, 5_000);

        Assert.Equal(12, table.Count);
        Assert.Equal(1, table.SparseEntries);
        Assert.Equal([1L, 2, 4, 5, 6, 7, 8, 9, 10], PopAll(table, 1_000));
        Assert.True(table.TryTouch(3, NoToken, 200, 1_000, 60_000));
        Assert.True(table.TryRemove(3, NoToken, out var again));
        Assert.Equal(100, again.DeliveredAtUnixMs);
        Assert.Equal(0, table.SparseEntries);
        Assert.False(table.TryRemove(3, NoToken, out _));
        Assert.Equal([11L, 12], PopAll(table, 5_100));
    }

    [Fact]
    public void Leases_mixing_old_and_new_ids_expire_and_settle_each_id_once()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(100, 5), 0, 1_000);
        table.TryRemove(101, NoToken, out _);
        table.TryRemove(103, NoToken, out _);

        AddLease(table, [103, 101, 105, 106, 50], 0, 2_000);

        Assert.Equal(8, table.Count);
        Assert.Equal([(50L, 50L), (100L, 100L), (101L, 101L), (102L, 102L), (103L, 103L), (104L, 104L), (105L, 106L)], Ranges(table));
        Assert.True(table.TryRemove(105, NoToken, out _));
        Assert.Equal([100L, 102, 104], PopAll(table, 1_000));
        Assert.Equal([103L, 101, 106, 50], PopAll(table, 2_000));
        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.SparseEntries);
        Assert.Equal(0, table.RunEntries);
    }

    [Fact]
    public void Collected_ranges_are_the_unsettled_ids_with_consecutive_ones_merged()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 10), 0, 1_000);
        AddLease(table, Ids(20, 3), 0, 1_000);
        table.TryRemove(4, NoToken, out _);
        table.TryRemove(5, NoToken, out _);
        table.TryRemove(10, NoToken, out _);
        table.TryRemove(20, NoToken, out _);

        Assert.Equal([(1L, 3L), (6L, 9L), (21L, 22L)], Ranges(table));
    }

    [Fact]
    public void Clear_forgets_every_lease_and_touch()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 100), 0, 1_000);
        AddLease(table, [0], 0, 1_000);
        table.TryTouch(7, NoToken, 0, 5_000, 60_000);

        table.Clear();

        Assert.Equal(0, table.Count);
        Assert.False(table.TryRemove(1, NoToken, out _));
        Assert.False(table.TryTouch(7, NoToken, 0, 1_000, 60_000));
        Assert.Empty(PopAll(table, 100_000));
        Assert.Equal(0, table.DeadlineEntries);
        Assert.Empty(Ranges(table));

        AddLease(table, Ids(1, 3), 0, 1_000);
        Assert.True(table.TryRemove(2, NoToken, out _));
        Assert.Equal([1L, 3], PopAll(table, 1_000));
    }

    [Fact]
    public void Many_leases_of_one_settled_in_any_order_leave_nothing_behind()
    {
        var table = new InFlightTable();
        var ids = Ids(1, 5_000);
        foreach (var id in ids) AddLease(table, [id], 0, 60_000);
        new Random(13).Shuffle(ids);

        foreach (var id in ids) Assert.True(table.TryRemove(id, NoToken, out _));

        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.RunEntries);
        Assert.True(table.DeadlineEntries <= 1024 + 1, $"deadline queue holds {table.DeadlineEntries} entries");
        Assert.Empty(PopAll(table, 60_000));
    }

    [Fact]
    public void Finish_counts_the_countdown_down_once_per_message()
    {
        var table = new InFlightTable();
        var countdown = new SettleCountdown(3);
        AddLease(table, Ids(1, 3), 0, 1_000, countdown);

        foreach (var id in new long[] { 2, 1, 2, 3, 3, 1 })
            if (table.TryRemove(id, NoToken, out var message)) message.Countdown?.Settle();

        Assert.True(countdown.IsSettled);
    }

    [Fact]
    public void Leases_of_one_and_of_many_time_out_together_in_deadline_order()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 3), 0, 1_000);
        AddLease(table, [10], 0, 500);
        AddLease(table, [11], 0, 1_500);
        AddLease(table, Ids(20, 2), 0, 1_200);
        AddLease(table, Ids(30, 2), 0, 800);
        Assert.True(table.TryTouch(2, NoToken, 0, 1_300, 60_000));
        Assert.True(table.TryTouch(10, NoToken, 0, 1_100, 60_000));

        Assert.Equal([30L, 31, 1, 3, 10, 20, 21, 2, 11], PopAll(table, 2_000));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_message_finished_between_peek_and_pop_is_not_expired()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 2), 0, 1_000);
        AddLease(table, [5], 0, 1_000);

        Assert.True(table.TryPopExpired(1_000, out var first, out _));
        Assert.Equal(1, first);
        Assert.True(table.TryRemove(2, NoToken, out _));

        Assert.Equal([5L], PopAll(table, 1_000));
    }

    [Fact]
    public void A_message_touched_while_its_lease_expires_keeps_its_new_deadline()
    {
        var table = new InFlightTable();
        AddLease(table, Ids(1, 3), 0, 1_000);
        AddLease(table, [9], 0, 900);

        // The single (900) comes first; the block's first slot is already found as next.
        Assert.True(table.TryPopExpired(1_000, out var first, out _));
        Assert.Equal(9, first);
        Assert.True(table.TryTouch(1, NoToken, 1_000, 1_000, 60_000));

        Assert.Equal([2L, 3], PopAll(table, 1_000));
        Assert.Equal([1L], PopAll(table, 2_000));
    }
}
