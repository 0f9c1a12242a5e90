using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orleans.Concurrency;
using OrleansNsq.Gateway.Publishing;
using OrleansNsq.Messages;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Tests.Publishing;

/// <summary>
/// HTTP /pub requests to one topic at once share batches: a lone request is sent at once, requests that arrive while
/// a call is out go together in the next call, and each request gets its own batch's outcome.
/// </summary>
public sealed class TopicPublishQueueTests
{
    /// <summary>A topic whose publish calls stay open until the test answers them.</summary>
    private sealed class HeldTopic : ITopicGrain
    {
        private readonly Lock _lock = new();
        private readonly List<(PublishBatch Batch, TaskCompletionSource Answer, CancellationToken Token)> _calls = [];
        private readonly SemaphoreSlim _arrived = new(0);

        public ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
        {
            var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock) _calls.Add((batch.Value, answer, cancellationToken));
            _arrived.Release();
            return new ValueTask(answer.Task);
        }

        /// <summary>Waits for call number <paramref name="index"/> (from 0).</summary>
        public async Task<(PublishBatch Batch, TaskCompletionSource Answer, CancellationToken Token)> CallAsync(int index)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                lock (_lock)
                    if (_calls.Count > index) return _calls[index];
                Assert.True(DateTime.UtcNow < deadline, $"call {index} never came");
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(100));
            }
        }

        public int CallCount
        {
            get { lock (_lock) return _calls.Count; }
        }

        public ValueTask CreateAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask CreateChannelAsync(string channel, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> DeleteChannelAsync(string channel, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<string[]> GetChannelsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> SetPausedAsync(bool paused, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<bool> EmptyAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public ValueTask<TopicStats?> GetStatsAsync(string? channel = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static string[] Bodies(PublishBatch batch) =>
        Enumerable.Range(0, batch.Count).Select(i => Encoding.ASCII.GetString(batch.Body(i).Span)).ToArray();

    [Fact]
    public async Task A_lone_request_is_sent_at_once_as_a_batch_of_one()
    {
        var topic = new HeldTopic();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(30), TimeProvider.System);

        var publish = queue.PublishAsync("alone"u8, 0);

        var call = await topic.CallAsync(0);
        Assert.Equal(["alone"], Bodies(call.Batch));
        Assert.False(publish.IsCompleted);
        call.Answer.SetResult();
        await publish.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Requests_that_arrive_while_a_call_is_out_share_the_next_call_and_complete_with_it()
    {
        var topic = new HeldTopic();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(30), TimeProvider.System);
        var first = queue.PublishAsync("a"u8, 0);
        var firstCall = await topic.CallAsync(0);

        var second = queue.PublishAsync("b"u8, 0);
        var third = queue.PublishAsync("c"u8, 0);
        Assert.Equal(1, topic.CallCount);
        firstCall.Answer.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(10));

        var next = await topic.CallAsync(1);
        Assert.Equal(["b", "c"], Bodies(next.Batch));
        Assert.False(second.IsCompleted || third.IsCompleted);
        next.Answer.SetResult();
        await Task.WhenAll(second, third).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_refused_batch_fails_every_request_in_it_and_only_those()
    {
        var topic = new HeldTopic();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(30), TimeProvider.System);
        var first = queue.PublishAsync("a"u8, 0);
        var firstCall = await topic.CallAsync(0);
        var second = queue.PublishAsync("b"u8, 0);

        firstCall.Answer.SetException(new InvalidOperationException("log down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        var next = await topic.CallAsync(1);
        next.Answer.SetResult();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Requests_with_another_defer_go_in_a_batch_of_their_own_in_arrival_order()
    {
        var topic = new HeldTopic();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(30), TimeProvider.System);
        _ = queue.PublishAsync("now"u8, 0);
        var firstCall = await topic.CallAsync(0);
        var deferred = queue.PublishAsync("later"u8, 5_000);
        var plain = queue.PublishAsync("plain"u8, 0);

        firstCall.Answer.SetResult();
        var second = await topic.CallAsync(1);
        Assert.Equal(["later"], Bodies(second.Batch));
        Assert.Equal(5_000, second.Batch.DeferMs);
        second.Answer.SetResult();
        var third = await topic.CallAsync(2);
        Assert.Equal(["plain"], Bodies(third.Batch));
        Assert.Equal(0, third.Batch.DeferMs);
        third.Answer.SetResult();
        await Task.WhenAll(deferred, plain).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_batch_is_closed_at_64_KB_so_it_stays_off_the_large_object_heap()
    {
        var topic = new HeldTopic();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(30), TimeProvider.System);
        _ = queue.PublishAsync("first"u8, 0);
        var firstCall = await topic.CallAsync(0);
        var body = new byte[10_000];
        var waiting = Enumerable.Range(0, 10).Select(_ => queue.PublishAsync(body, 0)).ToArray();

        firstCall.Answer.SetResult();
        var second = await topic.CallAsync(1);
        Assert.Equal(6, second.Batch.Count);
        Assert.True(second.Batch.TotalBytes <= TopicPublishQueue.MaxBatchBytes);
        second.Answer.SetResult();
        var third = await topic.CallAsync(2);
        Assert.Equal(4, third.Batch.Count);
        third.Answer.SetResult();
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_batch_the_cluster_does_not_answer_within_the_bound_fails_its_requests_and_the_next_batch_is_sent()
    {
        var topic = new HeldTopic();
        var time = new FakeTimeProvider();
        var queue = new TopicPublishQueue(topic, TimeSpan.FromSeconds(5), time);
        var stuck = queue.PublishAsync("stuck"u8, 0);
        var first = await topic.CallAsync(0);
        var waiting = queue.PublishAsync("next"u8, 0);

        time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<ClusterTimeoutException>(() => stuck.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(first.Token.IsCancellationRequested, "the grain was not told to give up");
        var second = await topic.CallAsync(1);
        Assert.Equal(["next"], Bodies(second.Batch));
        second.Answer.SetResult();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
