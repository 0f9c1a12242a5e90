using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansNsq.Grains.Tests.Channels;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.Grains.Tests.Cluster;

/// <summary>
/// Three silos in this process on one PostgreSQL schema (grain storage and message log, durable publishes:
/// <c>--mem-queue-size=0</c>), as a cluster of nodes is (docs/CLUSTER.md "Failover"). Topic and channel grains are
/// placed on chosen silos (both are <c>[PreferLocalPlacement]</c>: a call made through a silo's own grain factory
/// activates them there), and the management grain reports where each lives. One silo stopped gracefully and another
/// killed: their grains come back on the survivor with their state.
/// </summary>
public sealed class PostgresFailoverTests : IAsyncLifetime
{
    private const int MsgTimeoutMs = 60_000;
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(15);

    private TestSchema? _schema;
    private InProcessTestCluster? _cluster;

    private InProcessTestCluster Cluster => _cluster!;

    private IGrainFactory Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null) return;
        _schema = await PostgresTestServer.CreateSchemaAsync();
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ServiceId = _schema.Name;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddNsqGrains(o =>
            {
                o.MemQueueSize = 0;
                o.QueueScanInterval = TimeSpan.FromMilliseconds(20);
            }).AddPostgresNsqStore(o => o.ConnectionString = _schema.ConnectionString);
            // A killed silo is declared dead within a few seconds, not Orleans' production half minute.
            silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (_schema is not null) await _schema.DisposeAsync();
    }

    /// <summary>The grain factory of silo <paramref name="index"/>: grains it activates first live there.</summary>
    private IGrainFactory On(int index) => Cluster.Silos[index].ServiceProvider.GetRequiredService<IGrainFactory>();

    private async Task<SiloAddress?> WhereAsync(IAddressable grain) =>
        await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);

    [PostgresFact]
    public async Task Topics_and_channels_spread_over_three_silos_and_the_directory_answers_the_same_from_each()
    {
        var topics = Enumerable.Range(0, 3).Select(i => NewTopic($"s{i}")).ToArray();
        for (var i = 0; i < 3; i++) await On(i).Topic(topics[i]).CreateChannelAsync("c");

        for (var i = 0; i < 3; i++)
        {
            var silo = Cluster.Silos[i].SiloAddress;
            Assert.Equal(silo, await WhereAsync(Client.Topic(topics[i])));
            Assert.Equal(silo, await WhereAsync(Client.Channel(topics[i], "c")));
        }
        var hosts = await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(3, hosts.Count);

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var entries = await On(i).TopicDirectory().GetEntriesAsync();
            answers.Add(string.Join(";", entries.Where(e => topics.Contains(e.Topic)).OrderBy(e => e.Topic, StringComparer.Ordinal)
                .Select(e => e.Topic + ":" + string.Join(",", e.Channels))));
        }
        var expected = string.Join(";", topics.Order(StringComparer.Ordinal).Select(t => t + ":c"));
        Assert.All(answers, a => Assert.Equal(expected, a));

        // A publish through any silo reaches the channel wherever it lives.
        await Publish(On(2), topics[0], 0, "from silo 2");
        Assert.Equal(["from silo 2"], Texts(await PullUntil(Client.Channel(topics[0], "c"), 1, "cross-silo publish")));
    }

    [PostgresFact]
    public async Task Grains_of_a_stopped_and_a_killed_silo_come_back_on_the_survivor_with_their_state()
    {
        // Silo 1 will be stopped, silo 2 killed; silo 0 (the client's first gateway) survives.
        var nodes = new[] { new Node(this, 1), new Node(this, 2) };
        foreach (var node in nodes) await node.SetUpAsync();
        foreach (var node in nodes) await node.AssertPlacedOnAsync(Cluster.Silos[node.Silo].SiloAddress, "before");
        var due = DateTimeOffset.UtcNow.AddMilliseconds(Node.DeferMs);
        foreach (var node in nodes) await Publish(Client, node.Topic, Node.DeferMs, node.Topic + "-deferred");

        var survivor = Cluster.Silos[0];
        var stopped = Cluster.Silos[1];
        var killed = Cluster.Silos[2];
        await Cluster.StopSiloAsync(stopped);
        await Cluster.KillSiloAsync(killed);
        await WaitForAsync("membership declares the killed silo dead", async () =>
            (await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.ToArray() is [var only] && only == survivor.SiloAddress);

        foreach (var node in nodes)
        {
            var phase = $"silo {node.Silo} ({(node.Silo == 1 ? "stopped" : "killed")})";
            var stats = await Client.Topic(node.Topic).GetStatsAsync();
            Assert.NotNull(stats);
            Assert.False(stats.Paused, $"{phase}: topic {node.Topic} not paused");
            Assert.Equal([("live", false), ("paused", true)], stats.Channels.Select(c => (c.ChannelName, c.Paused)).Order());
            var pausedTopic = await Client.Topic(node.PausedTopic).GetStatsAsync();
            Assert.True(pausedTopic is { Paused: true }, $"{phase}: topic {node.PausedTopic} paused");
            await node.AssertPlacedOnAsync(survivor.SiloAddress, "after");

            var live = Client.Channel(node.Topic, "live");
            Assert.Equal(1, (await live.GetStatsAsync()).DeferredCount);
            // Every message not finished before the failure comes again (the in-flight ones too); the finished ones
            // may come again after a kill (their FIN was after the last cursor write) but never after a graceful stop.
            var again = await PullAllOf(live, node.Unfinished, $"{phase}: unfinished on live");
            again.UnionWith(Texts((await live.PullAsync(new(Guid.NewGuid(), 100, MsgTimeoutMs, 500))).Messages));
            var extra = again.Except(node.Unfinished).ToHashSet();
            if (node.Silo == 1) Assert.Empty(extra);
            else Assert.Subset(node.Finished.ToHashSet(), extra);

            await Client.Channel(node.Topic, "paused").SetPausedAsync(false);
            var all = Texts(await PullUntil(Client.Channel(node.Topic, "paused"), node.Published.Length, $"{phase}: paused channel"));
            Assert.Equal(node.Published.Order(), all.Order());

            Assert.True(await Client.Topic(node.PausedTopic).SetPausedAsync(false));
            var held = Texts(await PullUntil(Client.Channel(node.PausedTopic, "c"), 2, $"{phase}: paused topic's held"));
            Assert.Equal(["held 0", "held 1"], held.Order());
        }

        // The deferred messages wait for their due time, set before the failure, then come on the restored channels.
        foreach (var node in nodes)
        {
            var deferred = await PullUntil(Client.Channel(node.Topic, "live"), 1, $"silo {node.Silo}: deferred",
                timeout: TimeSpan.FromMilliseconds(Node.DeferMs) + PhaseTimeout);
            Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-150), $"silo {node.Silo}: deferred delivered before its due time {due:O}");
            Assert.Equal([node.Topic + "-deferred"], Texts(deferred));
        }

        var entries = await Client.TopicDirectory().GetEntriesAsync();
        foreach (var node in nodes)
        {
            Assert.Equal(["live", "paused"], Assert.Single(entries, e => e.Topic == node.Topic).Channels.Order());
            Assert.Equal(["c"], Assert.Single(entries, e => e.Topic == node.PausedTopic).Channels);
        }
    }

    /// <summary>What one silo hosts before the failure: a topic with a live and a paused channel, 10 messages (3
    /// finished, 3 in flight, 4 ready), and a paused topic holding 2 messages for its channel.</summary>
    private sealed class Node(PostgresFailoverTests test, int silo)
    {
        public const int DeferMs = 12_000;

        public int Silo { get; } = silo;
        public string Topic { get; } = NewTopic($"n{silo}");
        public string PausedTopic { get; } = NewTopic($"p{silo}");
        public string[] Published { get; } = Enumerable.Range(0, 10).Select(i => $"n{silo}-{i}").ToArray();
        public string[] Finished { get; private set; } = [];
        public string[] Unfinished { get; private set; } = [];

        public async Task SetUpAsync()
        {
            var here = test.On(Silo);
            await here.Topic(Topic).CreateChannelAsync("live");
            await here.Topic(Topic).CreateChannelAsync("paused");
            await here.Channel(Topic, "paused").SetPausedAsync(true);
            await Publish(here, Topic, 0, Published);
            var pulled = await PullUntil(here.Channel(Topic, "live"), 6, $"silo {Silo}: first pull", maxCount: 6);
            await here.Channel(Topic, "live").SettleAsync(new(Segments.Fin(pulled.Take(3))));
            Finished = Texts(pulled.Take(3));
            Unfinished = Published.Except(Finished).ToArray();

            await here.Topic(PausedTopic).CreateChannelAsync("c");
            Assert.True(await here.Topic(PausedTopic).SetPausedAsync(true));
            await Publish(here, PausedTopic, 0, "held 0", "held 1");
        }

        public async Task AssertPlacedOnAsync(SiloAddress expected, string when)
        {
            foreach (var (name, grain) in new (string, IAddressable)[]
                     {
                         ("topic " + Topic, test.Client.Topic(Topic)),
                         ($"channel {Topic}/live", test.Client.Channel(Topic, "live")),
                         ($"channel {Topic}/paused", test.Client.Channel(Topic, "paused")),
                         ("topic " + PausedTopic, test.Client.Topic(PausedTopic)),
                     })
            {
                var actual = await test.WhereAsync(grain);
                Assert.True(expected.Equals(actual), $"{when}: {name} expected on {expected}, lives on {actual?.ToString() ?? "no silo"}");
            }
        }
    }

    private static string NewTopic(string suffix) => "f" + Guid.NewGuid().ToString("N")[..16] + suffix;

    private static async Task Publish(IGrainFactory grains, string topic, int deferMs, params string[] bodies) =>
        await grains.Topic(topic).PublishAsync(new(PublishBatch.From(bodies.Select(Encoding.UTF8.GetBytes).ToArray(), deferMs)));

    private static string[] Texts(IEnumerable<DeliveredMessage> messages) =>
        messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)).ToArray();

    /// <summary>Long-polls until <paramref name="count"/> messages came; fails naming the phase when they do not in time.</summary>
    private static async Task<List<DeliveredMessage>> PullUntil(IChannelGrain channel, int count, string phase, int maxCount = 100,
        TimeSpan? timeout = null)
    {
        var got = new List<DeliveredMessage>();
        var limit = timeout ?? PhaseTimeout;
        using var deadline = new CancellationTokenSource(limit);
        var subscriber = Guid.NewGuid();
        while (got.Count < count)
        {
            if (deadline.IsCancellationRequested)
                Assert.Fail($"{phase}: expected {count} messages within {limit.TotalSeconds}s, got {got.Count}");
            var batch = await channel.PullAsync(new(subscriber, Math.Min(maxCount, count - got.Count), MsgTimeoutMs, 250));
            Assert.False(batch.ChannelDeleted, $"{phase}: channel deleted");
            got.AddRange(batch.Messages);
        }
        return got;
    }

    /// <summary>Long-polls until every one of <paramref name="bodies"/> came; returns every body received (duplicates
    /// of finished messages included). Fails naming the phase and what is missing when they do not in time.</summary>
    private static async Task<HashSet<string>> PullAllOf(IChannelGrain channel, string[] bodies, string phase)
    {
        var got = new HashSet<string>();
        using var deadline = new CancellationTokenSource(PhaseTimeout);
        var subscriber = Guid.NewGuid();
        while (!got.IsSupersetOf(bodies))
        {
            if (deadline.IsCancellationRequested)
                Assert.Fail($"{phase}: missing {string.Join(",", bodies.Except(got))} after {PhaseTimeout.TotalSeconds}s; got {string.Join(",", got)}");
            var batch = await channel.PullAsync(new(subscriber, 100, MsgTimeoutMs, 250));
            Assert.False(batch.ChannelDeleted, $"{phase}: channel deleted");
            got.UnionWith(Texts(batch.Messages));
        }
        return got;
    }

    private static async Task WaitForAsync(string phase, Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(PhaseTimeout);
        while (!await condition())
        {
            if (deadline.IsCancellationRequested) Assert.Fail($"{phase}: not within {PhaseTimeout.TotalSeconds}s");
            await Task.Delay(100);
        }
    }
}
