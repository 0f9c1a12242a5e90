namespace OrleansNsq.Publish.Benchmarks.Infrastructure;

/// <summary>
/// What every publish benchmark sets up once per run: a node, the topic <see cref="TopicName"/> created, and a
/// <see cref="ChannelDrain"/> on each of its channels, so the channels stay empty while the benchmark publishes.
/// </summary>
internal sealed class PublishTarget : IAsyncDisposable
{
    public const string TopicName = "bench";
    public const int BodySize = 200;

    private readonly InProcessNode _node;
    private readonly ChannelDrain[] _drains;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _depthSampler;
    private long _maxDepth;

    private PublishTarget(InProcessNode node, ChannelDrain[] drains)
    {
        _node = node;
        _drains = drains;
        _depthSampler = drains.Length > 0 ? Task.Run(SampleDepthAsync) : Task.CompletedTask;
    }

    public IGrainFactory Grains => _node.Grains;

    /// <summary>The consumers of the topic's channels, one per channel ("ch0", "ch1"…).</summary>
    public IReadOnlyList<ChannelDrain> Drains => _drains;

    public ITopicGrain Topic => _node.Grains.Topic(TopicName);

    /// <summary>A body of <see cref="BodySize"/> bytes, as bench_writer's default.</summary>
    public static byte[] NewBody() => Enumerable.Repeat((byte)'x', BodySize).ToArray();

    public static async Task<PublishTarget> StartAsync(int channels, long memQueueSize)
    {
        var node = await InProcessNode.StartAsync(memQueueSize);
        await node.Grains.Topic(TopicName).CreateAsync();
        var drains = new ChannelDrain[channels];
        for (var i = 0; i < channels; i++) drains[i] = await ChannelDrain.StartAsync(node.Grains, TopicName, "ch" + i);
        return new PublishTarget(node, drains);
    }

    /// <summary>Whether the drains kept up: the deepest channel (ready + on disk) seen, sampled every 100 ms.</summary>
    private async Task SampleDepthAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (await Topic.GetStatsAsync() is not { } stats) continue;
                foreach (var channel in stats.Channels)
                    _maxDepth = Math.Max(_maxDepth, channel.Depth + channel.InFlightCount);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the drains and the node; first writes (into the benchmark's log) how many messages each pull
    /// carried, since a consumer that keeps up pulls one publish at a time, and the deepest a channel got.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _depthSampler;
        if (_drains.Length > 0) Console.WriteLine($"// deepest channel (ready + in flight), sampled every 100 ms: {_maxDepth}");
        foreach (var drain in _drains)
        {
            await drain.DisposeAsync();
            Console.WriteLine($"// drain {drain.Channel}: {drain.Finished} messages in {drain.Pulls} pulls, " +
                $"{(double)drain.Finished / Math.Max(1, drain.Pulls):F1} per pull");
        }
        await _node.DisposeAsync();
    }
}
