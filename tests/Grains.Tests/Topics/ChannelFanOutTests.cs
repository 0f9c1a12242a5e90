using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Grains.Tests.Channels;
using OrleansNsq.Grains.Topics;

namespace OrleansNsq.Grains.Tests.Topics;

/// <summary>
/// The topic's hand-over to one channel (nsqd's topic messagePump): in id order, one call out at a time, what arrives
/// meanwhile joined into the next call, a failed call tried again in order, and a bound that makes publishers wait.
/// </summary>
public sealed class ChannelFanOutTests
{
    /// <summary>A channel whose EnqueueAsync calls stay open until the test answers them.</summary>
    private sealed class HeldChannel : IChannelFeedGrain
    {
        public List<(long[] FirstIds, TaskCompletionSource Answer)> Calls { get; } = [];

        public ValueTask EnqueueAsync(Immutable<MessageSegment[]> segments, CancellationToken cancellationToken = default)
        {
            var answer = new TaskCompletionSource();
            Calls.Add((segments.Value.Select(s => s.FirstId).ToArray(), answer));
            return new ValueTask(answer.Task);
        }

        public ValueTask CreateAsync(long startAfterId, Immutable<MessageSegment[]> held, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<DeliveryBatch> PullAsync(PullRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask CancelPullAsync(Guid subscriberId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<SettleReport> SettleAsync(Immutable<Settlement[]> settlements, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> SetSubscriberAsync(Guid subscriberId, int clientCount, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask SetPausedAsync(bool paused, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask EmptyAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask DeleteAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<ChannelStats> GetStatsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static ChannelFanOut FanOut(HeldChannel channel, TimeProvider? time = null) =>
        new("t", "c", channel, time ?? TimeProvider.System, NullLogger.Instance);

    [Fact]
    public void A_segment_goes_to_the_channel_at_once()
    {
        var channel = new HeldChannel();
        var fanOut = FanOut(channel);

        fanOut.Add(Segments.Of(1, 3));

        Assert.Equal([1L], Assert.Single(channel.Calls).FirstIds);
        Assert.Equal(3, fanOut.PendingMessages);
    }

    [Fact]
    public void Segments_added_while_a_call_is_out_go_together_in_the_next_call_in_id_order()
    {
        var channel = new HeldChannel();
        var fanOut = FanOut(channel);
        fanOut.Add(Segments.Of(1, 1));
        fanOut.Add(Segments.Of(2, 1));
        fanOut.Add(Segments.Of(3, 2));
        Assert.Single(channel.Calls);

        channel.Calls[0].Answer.SetResult();

        Assert.Equal(2, channel.Calls.Count);
        Assert.Equal([2L, 3L], channel.Calls[1].FirstIds);
        channel.Calls[1].Answer.SetResult();
        Assert.Equal(0, fanOut.PendingMessages);
    }

    [Fact]
    public async Task A_failed_call_is_tried_again_with_the_same_segments_first_and_in_order()
    {
        var time = new FakeTimeProvider();
        var channel = new HeldChannel();
        var fanOut = FanOut(channel, time);
        fanOut.Add(Segments.Of(1, 1));
        fanOut.Add(Segments.Of(2, 1));

        channel.Calls[0].Answer.SetException(new TimeoutException("silo gone"));
        fanOut.Add(Segments.Of(3, 1));
        Assert.Single(channel.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => channel.Calls.Count == 2);

        Assert.Equal([1L, 2L, 3L], channel.Calls[1].FirstIds);
        var caughtUp = fanOut.WhenCaughtUpAsync();
        channel.Calls[1].Answer.SetResult();
        await caughtUp.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Past_the_bound_the_fan_out_has_no_room_until_the_channel_answers()
    {
        var channel = new HeldChannel();
        var fanOut = FanOut(channel);
        for (var i = 0; i < ChannelFanOut.MaxPendingSegments; i++) fanOut.Add(Segments.Of(i + 1, 1));

        Assert.False(fanOut.HasRoom);
        var progress = fanOut.WhenProgressAsync();
        Assert.False(progress.IsCompleted);

        channel.Calls[0].Answer.SetResult();

        Assert.True(progress.IsCompleted);
        Assert.True(fanOut.HasRoom);
    }

    [Fact]
    public async Task Caught_up_means_what_was_added_before_the_call_even_while_more_keeps_coming()
    {
        var channel = new HeldChannel();
        var fanOut = FanOut(channel);
        fanOut.Add(Segments.Of(1, 1));
        var caughtUp = fanOut.WhenCaughtUpAsync();
        fanOut.Add(Segments.Of(2, 1));

        channel.Calls[0].Answer.SetResult();

        await caughtUp.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, fanOut.PendingMessages);
    }

    [Fact]
    public async Task A_stopped_fan_out_drops_what_the_deleted_channel_has_not_taken()
    {
        var channel = new HeldChannel();
        var fanOut = FanOut(channel);
        fanOut.Add(Segments.Of(1, 1));
        fanOut.Add(Segments.Of(2, 1));

        fanOut.Stop();
        fanOut.Add(Segments.Of(3, 1));
        channel.Calls[0].Answer.SetResult();

        await fanOut.WhenCaughtUpAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(channel.Calls);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++) await Task.Yield();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.True(condition());
    }
}
