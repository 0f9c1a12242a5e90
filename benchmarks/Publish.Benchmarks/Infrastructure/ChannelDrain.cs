using Orleans.Concurrency;
using OrleansNsq.Messages;

namespace OrleansNsq.Publish.Benchmarks.Infrastructure;

/// <summary>
/// A consumer that keeps one channel empty, as a gateway subscription does for clients at a high RDY: it long-polls
/// <see cref="IChannelGrain.PullAsync"/> for up to 2,000 messages and FINs each batch in one
/// <see cref="IChannelGrain.SettleAsync"/> call, one call out at a time. Without it the channel would hold every
/// message the benchmark publishes.
/// </summary>
internal sealed class ChannelDrain : IAsyncDisposable
{
    private const int MaxPull = 2_000;
    private const int WaitMs = 1_000;

    private readonly IChannelGrain _channel;
    private readonly Guid _subscriber = Guid.NewGuid();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _finished;
    private Waiter? _waiter;

    private ChannelDrain(IChannelGrain channel) => _channel = channel;

    /// <summary>Messages finished so far.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>Pulls that returned messages (one SettleAsync call each).</summary>
    public long Pulls { get; private set; }

    public string Channel => _channel.GetPrimaryKeyString();

    /// <summary>Creates the channel on <paramref name="topic"/> and starts draining it.</summary>
    public static async Task<ChannelDrain> StartAsync(IGrainFactory grains, string topic, string channel)
    {
        await grains.Topic(topic).CreateChannelAsync(channel);
        var drain = new ChannelDrain(grains.Channel(topic, channel));
        await drain._channel.SetSubscriberAsync(drain._subscriber, 1);
        drain._loop = Task.Run(drain.RunAsync);
        return drain;
    }

    private async Task RunAsync()
    {
        var request = new PullRequest(_subscriber, MaxPull, MsgTimeoutMs: 0, WaitMs);
        while (!_stop.IsCancellationRequested)
        {
            var batch = await _channel.PullAsync(request);
            if (batch.ChannelDeleted) return;
            if (batch.Count == 0) continue;
            var fins = new Settlement[batch.Count];
            for (var i = 0; i < fins.Length; i++) fins[i] = Settlement.Fin(batch.Messages[i]);
            await _channel.SettleAsync(new Immutable<Settlement[]>(fins));
            var finished = Interlocked.Add(ref _finished, fins.Length);
            Pulls++;
            if (Volatile.Read(ref _waiter) is { } waiter && finished >= waiter.Count) waiter.Reached.TrySetResult();
        }
    }

    /// <summary>Completes once <paramref name="count"/> messages in all have been finished. One waiter at a time.</summary>
    public Task WhenFinishedAsync(long count)
    {
        if (Finished >= count) return Task.CompletedTask;
        var waiter = new Waiter(count);
        Volatile.Write(ref _waiter, waiter);
        if (Finished >= count) waiter.Reached.TrySetResult();
        return waiter.Reached.Task;
    }

    private sealed class Waiter(long count)
    {
        public long Count { get; } = count;
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _channel.CancelPullAsync(_subscriber);
        await _loop;
        await _channel.SetSubscriberAsync(_subscriber, 0);
        _stop.Dispose();
    }
}
