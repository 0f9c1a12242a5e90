namespace OrleansNsq.Grains.Tests.Channels;

public class SubscriberTableTests
{
    [Fact]
    public void Client_count_is_the_sum_over_subscribers_and_0_removes_one()
    {
        var table = new SubscriberTable();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();

        table.Set(a, 2, 0);
        table.Set(b, 3, 0);
        table.Set(a, 1, 0);
        Assert.Equal((2, 4), (table.Count, table.ClientCount));

        table.Set(b, 0, 0);
        Assert.Equal((1, 1), (table.Count, table.ClientCount));
    }

    [Fact]
    public void Subscribers_not_heard_from_are_forgotten_after_the_idle_time()
    {
        var table = new SubscriberTable();
        var quiet = Guid.NewGuid();
        var pulling = Guid.NewGuid();
        table.Set(quiet, 1, 0);
        table.Set(pulling, 2, 0);

        table.Seen(pulling, 90_000);
        Assert.Equal(0, table.ForgetIdle(119_999, 120_000));
        Assert.Equal(1, table.ForgetIdle(120_000, 120_000));

        Assert.Equal((1, 2), (table.Count, table.ClientCount));
    }

    [Fact]
    public void Seen_does_not_add_an_unknown_subscriber()
    {
        var table = new SubscriberTable();
        table.Seen(Guid.NewGuid(), 0);
        Assert.Equal(0, table.Count);
    }
}
