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

    private PublishTarget(InProcessNode node, ChannelDrain[] drains)
    {
        _node = node;
        _drains = drains;
    }

    public IGrainFactory Grains => _node.Grains;

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

    /// <summary>Stops the drains and the node; first writes how many messages each pull carried (the benchmark's
    /// log shows it), since a consumer that keeps up pulls one publish at a time.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var drain in _drains)
        {
            await drain.DisposeAsync();
            Console.WriteLine($"// drain {drain.Channel}: {drain.Finished} messages in {drain.Pulls} pulls, " +
                $"{(double)drain.Finished / Math.Max(1, drain.Pulls):F1} per pull");
        }
        await _node.DisposeAsync();
    }
}
