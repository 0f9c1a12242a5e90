namespace OrleansNsq.Grains.Tests.Channels;

public class InFlightTableTests
{
    private static InFlightMessage Lease(long now, int timeout) => new(0, 1, default, now, now + timeout, timeout);

    [Fact]
    public void Finished_messages_do_not_grow_the_deadline_queue_without_bound()
    {
        var table = new InFlightTable();
        for (long id = 0; id < 100_000; id++)
        {
            table.Add(id, Lease(0, 60_000));
            Assert.True(table.TryRemove(id, out _));
        }

        Assert.Equal(0, table.Count);
        Assert.True(table.DeadlineEntries <= 1024 + 1, $"deadline queue holds {table.DeadlineEntries} entries");
    }

    [Fact]
    public void Repeated_touches_do_not_grow_the_deadline_queue_without_bound()
    {
        var table = new InFlightTable();
        table.Add(1, Lease(0, 1_000));
        for (var t = 1; t < 50_000; t++) Assert.True(table.TryTouch(1, t, 1_000, long.MaxValue / 2));

        Assert.True(table.DeadlineEntries <= 1024 + 3, $"deadline queue holds {table.DeadlineEntries} entries");
        Assert.False(table.TryPopExpired(50_000 + 998, out _, out _));
        Assert.True(table.TryPopExpired(50_000 + 999, out var id, out _));
        Assert.Equal(1, id);
    }

    [Fact]
    public void Touch_of_an_unknown_id_is_false()
    {
        Assert.False(new InFlightTable().TryTouch(5, 0, 1_000, 10_000));
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
}
