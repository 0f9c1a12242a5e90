namespace OrleansNsq.Grains.Tests.Channels;

public class PendingPullsTests
{
    private static PullRequest Pull(Guid subscriber, int maxCount) => new(subscriber, maxCount, 1_000, 5_000);

    [Fact]
    public async Task Ready_messages_are_shared_among_waiting_pulls()
    {
        var queue = new ChannelQueue(60_000);
        var pulls = new PendingPulls();
        var first = pulls.Add(Pull(Guid.NewGuid(), 100));
        var second = pulls.Add(Pull(Guid.NewGuid(), 100));
        queue.Enqueue([Segments.Of(1, 10)], 0);

        Assert.Equal(2, pulls.Serve(queue, 0));

        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, (await first.Answer).Ids());
        Assert.Equal(new long[] { 6, 7, 8, 9, 10 }, (await second.Answer).Ids());
        Assert.Equal(0, pulls.Count);
    }

    [Fact]
    public async Task A_pull_gets_no_more_than_its_max_count_and_others_keep_waiting()
    {
        var queue = new ChannelQueue(60_000);
        var pulls = new PendingPulls();
        var first = pulls.Add(Pull(Guid.NewGuid(), 2));
        var second = pulls.Add(Pull(Guid.NewGuid(), 2));
        var third = pulls.Add(Pull(Guid.NewGuid(), 2));
        queue.Enqueue([Segments.Of(1, 3)], 0);

        pulls.Serve(queue, 0);

        Assert.Equal(new long[] { 1 }, (await first.Answer).Ids());
        Assert.Equal(new long[] { 2 }, (await second.Answer).Ids());
        Assert.Equal(new long[] { 3 }, (await third.Answer).Ids());
    }

    [Fact]
    public void Nothing_is_served_while_paused()
    {
        var queue = new ChannelQueue(60_000) { Paused = true };
        var pulls = new PendingPulls();
        var pull = pulls.Add(Pull(Guid.NewGuid(), 5));
        queue.Enqueue([Segments.Of(1, 3)], 0);

        Assert.Equal(0, pulls.Serve(queue, 0));
        Assert.False(pull.Answer.IsCompleted);
    }

    [Fact]
    public async Task Cancel_answers_only_that_subscribers_pulls_with_empty()
    {
        var pulls = new PendingPulls();
        var gone = Guid.NewGuid();
        var cancelled = pulls.Add(Pull(gone, 5));
        var other = pulls.Add(Pull(Guid.NewGuid(), 5));

        pulls.Cancel(gone);

        Assert.Same(DeliveryBatch.Empty, (await cancelled.Answer));
        Assert.False(other.Answer.IsCompleted);
        Assert.Equal(1, pulls.Count);
    }
}
