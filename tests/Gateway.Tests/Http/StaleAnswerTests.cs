using System.Diagnostics;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>
/// Issue 17 ("Responsive APIs"): when the cluster does not answer (a silo cut off, a host frozen: here the grains are
/// held by <see cref="FrozenGrains"/>), /stats and lookupd answer within --publish-timeout from this gateway's last
/// copy, marked <c>X-NSQ-Stale</c>, and lookupd's writes answer 503, instead of waiting for Orleans' 30 s response
/// timeout.
/// </summary>
[Collection(FrozenGrainsHttpCollection.Name)]
public sealed class StaleAnswerTests(FrozenGrainsHttpApiFixture fixture)
{
    /// <summary>Far below Orleans' 30 s response timeout, which is what an unbounded call waits; far above the
    /// 500 ms bound, so a loaded CI machine passes.</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(10);

    private static readonly Type[] Lookupd = [typeof(ITopicDirectoryGrain), typeof(IExternalProducerDirectoryGrain)];

    [Theory]
    [InlineData("/lookup?topic={0}")]
    [InlineData("/topics")]
    [InlineData("/channels?topic={0}")]
    [InlineData("/nodes")]
    public async Task Lookupd_read_when_the_directory_does_not_answer_is_its_last_answer_within_the_bound_marked_stale(string path)
    {
        var topic = fixture.NewTopic("stale-lookupd");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        var url = string.Format(path, topic);
        var fresh = await fixture.Lookupd.Get(url);
        Assert.Equal(200, fresh.Code);
        Assert.Null(Stale(fresh));
        // what the copy must keep: the topic, or for a per-topic path its channel
        Assert.Contains(path.Contains("{0}", StringComparison.Ordinal) ? "\"c\"" : topic, fresh.Body);

        Reply stale;
        TimeSpan took;
        using (var freeze = fixture.Frozen.Hold(Lookupd))
        {
            (stale, took) = await Timed(fixture.Lookupd, url);
            Assert.True(freeze.FirstHeld.IsCompleted, "the request did not ask the directory");
        }

        Assert.True(took < AnswerWithin, $"{url} took {took}, expected < {AnswerWithin} (bound {FrozenGrainsHttpApiFixture.PublishTimeout})");
        stale.Is(200, fresh.Body);
        Assert.Equal("nsq; version=1.0", stale.NsqContentType);
        Assert.True(Stale(stale) >= 0, $"X-NSQ-Stale: '{Stale(stale)}'");

        var again = await fixture.Lookupd.Get(url);
        Assert.Null(Stale(again));
    }

    [Fact]
    public async Task Debug_when_the_directory_does_not_answer_keeps_the_last_keys_marked_stale()
    {
        var topic = fixture.NewTopic("stale-debug");
        (await fixture.Lookupd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        var fresh = await fixture.Lookupd.Get("/debug");
        Assert.Contains($"channel:{topic}:c", Http.Keys(fresh.Json));

        using var freeze = fixture.Frozen.Hold(Lookupd);
        var (stale, took) = await Timed(fixture.Lookupd, "/debug");

        Assert.True(took < AnswerWithin, $"/debug took {took}");
        Assert.Equal(200, stale.Code);
        Assert.Equal(Http.Keys(fresh.Json), Http.Keys(stale.Json));
        Assert.NotNull(Stale(stale));
    }

    [Fact]
    public async Task Lookupd_write_when_the_directory_does_not_answer_is_503_CLUSTER_UNAVAILABLE_within_the_bound()
    {
        var topic = fixture.NewTopic("stale-write");
        using var freeze = fixture.Frozen.Hold(Lookupd);
        var watch = Stopwatch.StartNew();
        var reply = await fixture.Lookupd.Post($"/topic/create?topic={topic}");
        watch.Stop();

        Assert.True(watch.Elapsed < AnswerWithin, $"/topic/create took {watch.Elapsed}");
        reply.Is(503, """{"message":"CLUSTER_UNAVAILABLE"}""");
        Assert.Equal("nsq; version=1.0", reply.NsqContentType);
        Assert.True(freeze.FirstHeld.IsCompleted);
    }

    [Fact]
    public async Task Stats_lists_the_topics_that_answer_and_the_last_copy_of_one_that_does_not_marked_stale()
    {
        var frozen = fixture.NewTopic("stale-stats-frozen");
        var answering = fixture.NewTopic("stale-stats-answering");
        (await fixture.Nsqd.Post($"/pub?topic={frozen}", "one")).Is(200, "OK");
        (await fixture.Nsqd.Post($"/pub?topic={answering}", "one")).Is(200, "OK");
        var fresh = await fixture.Nsqd.Get("/stats?format=json&include_mem=false");
        Assert.Null(Stale(fresh));
        Assert.Equal(1, MessageCount(fresh, frozen));
        (await fixture.Nsqd.Post($"/pub?topic={answering}", "two")).Is(200, "OK");

        using var freeze = fixture.Frozen.Hold([typeof(ITopicGrain)], key: frozen);
        var (stale, took) = await Timed(fixture.Nsqd, "/stats?format=json&include_mem=false");

        Assert.True(took < AnswerWithin, $"/stats took {took}");
        Assert.True(freeze.FirstHeld.IsCompleted);
        Assert.Equal(200, stale.Code);
        Assert.Equal(["version", "health", "start_time", "topics", "producers"], Http.Keys(stale.Json));
        Assert.Equal(1, MessageCount(stale, frozen));
        Assert.Equal(2, MessageCount(stale, answering));
        Assert.NotNull(Stale(stale));
    }

    [Fact]
    public async Task Stats_of_a_topic_that_does_not_answer_and_was_never_read_is_empty_and_marked_stale()
    {
        var topic = fixture.NewTopic("stale-stats-unread");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");

        using var freeze = fixture.Frozen.Hold([typeof(ITopicGrain)], key: topic);
        var (stale, took) = await Timed(fixture.Nsqd, $"/stats?format=json&include_mem=false&topic={topic}");

        Assert.True(took < AnswerWithin, $"/stats took {took}");
        Assert.Equal(200, stale.Code);
        Assert.Equal(0, stale.Json.GetProperty("topics").GetArrayLength());
        Assert.NotNull(Stale(stale));
    }

    private static async Task<(Reply Reply, TimeSpan Took)> Timed(HttpClient api, string url)
    {
        var watch = Stopwatch.StartNew();
        var reply = await api.Get(url);
        return (reply, watch.Elapsed);
    }

    /// <summary>X-NSQ-Stale as a number of seconds; null when absent.</summary>
    private static long? Stale(Reply reply) =>
        reply.Headers.TryGetValues("X-NSQ-Stale", out var values) ? long.Parse(Assert.Single(values)) : null;

    private static long MessageCount(Reply stats, string topic)
    {
        foreach (var entry in stats.Json.GetProperty("topics").EnumerateArray())
        {
            if (entry.GetProperty("topic_name").GetString() == topic) return entry.GetProperty("message_count").GetInt64();
        }
        Assert.Fail($"topic {topic} missing from {stats.Body}");
        return -1;
    }
}
