using System.Text;
using OrleansNsq.Grains.Tests.Channels;

namespace OrleansNsq.Grains.Tests.Cluster;

/// <summary>NSQ verbs as helpers, so each test reads like a session: Publish, Sub (create channel), Pull, Fin, Req.
/// Every wait is bounded and names its phase when it runs out.</summary>
[Collection(ClusterCollection.Name)]
public abstract class ClusterTest(ClusterFixture fixture)
{
    protected const int MsgTimeoutMs = 60_000;
    protected static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(10);

    protected ClusterFixture Fixture { get; } = fixture;

    protected IGrainFactory Grains => Fixture.Client;

    protected static string NewTopic(string suffix = "") => "t" + Guid.NewGuid().ToString("N") + suffix;

    protected ITopicGrain Topic(string topic) => Grains.Topic(topic);

    protected IChannelGrain Channel(string topic, string channel) => Grains.Channel(topic, channel);

    protected ITopicDirectoryGrain Directory => Grains.TopicDirectory();

    protected Task Publish(string topic, params string[] bodies) => Publish(topic, 0, bodies);

    protected async Task Publish(string topic, int deferMs, params string[] bodies) =>
        await Topic(topic).PublishAsync(new(PublishBatch.From(bodies.Select(Encoding.UTF8.GetBytes).ToArray(), deferMs)));

    protected static string[] Bodies(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => prefix + i).ToArray();

    protected async Task<IChannelGrain> Sub(string topic, string channel)
    {
        await Topic(topic).CreateChannelAsync(channel);
        return Channel(topic, channel);
    }

    protected static PullRequest Request(Guid subscriber, int maxCount = 100, int msgTimeoutMs = MsgTimeoutMs, int waitMs = 0) =>
        new(subscriber, maxCount, msgTimeoutMs, waitMs);

    protected static async Task<DeliveryBatch> Pull(IChannelGrain channel, int maxCount = 100, int msgTimeoutMs = MsgTimeoutMs,
        int waitMs = 0, Guid? subscriber = null) =>
        await channel.PullAsync(Request(subscriber ?? Guid.NewGuid(), maxCount, msgTimeoutMs, waitMs));

    /// <summary>Pulls (long polls) until <paramref name="count"/> messages came, failing with the phase name if they do
    /// not within <see cref="PhaseTimeout"/>.</summary>
    protected static async Task<List<DeliveredMessage>> PullUntil(IChannelGrain channel, int count, string phase,
        int maxCount = 100, int msgTimeoutMs = MsgTimeoutMs, Guid? subscriber = null)
    {
        var got = new List<DeliveredMessage>();
        using var deadline = new CancellationTokenSource(PhaseTimeout);
        var id = subscriber ?? Guid.NewGuid();
        while (got.Count < count)
        {
            if (deadline.IsCancellationRequested)
                Assert.Fail($"{phase}: expected {count} messages within {PhaseTimeout.TotalSeconds}s, got {got.Count}");
            var batch = await channel.PullAsync(Request(id, Math.Min(maxCount, count - got.Count), msgTimeoutMs, waitMs: 250));
            Assert.False(batch.ChannelDeleted, $"{phase}: channel deleted");
            got.AddRange(batch.Messages);
        }
        return got;
    }

    /// <summary>Awaits <paramref name="task"/>, failing with the phase name if it takes longer than
    /// <see cref="PhaseTimeout"/>.</summary>
    protected static async Task<T> Within<T>(Task<T> task, string phase)
    {
        var finished = await Task.WhenAny(task, Task.Delay(PhaseTimeout));
        Assert.True(finished == task, $"{phase}: not done within {PhaseTimeout.TotalSeconds}s");
        return await task;
    }

    protected static Task<SettleReport> Fin(IChannelGrain channel, params DeliveredMessage[] messages) =>
        channel.SettleAsync(new(Segments.Fin(messages))).AsTask();

    protected static Task<SettleReport> Settle(IChannelGrain channel, params Settlement[] settlements) =>
        channel.SettleAsync(new(settlements)).AsTask();

    protected static string Text(DeliveredMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    protected async Task<ChannelStats> Stats(string topic, string channel) =>
        Assert.Single((await Topic(topic).GetStatsAsync(channel))!.Channels);
}
