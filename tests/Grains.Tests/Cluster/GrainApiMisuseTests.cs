namespace OrleansNsq.Grains.Tests.Cluster;

/// <summary>The grain API refuses what NSQ's protocol would refuse, whoever calls it: one test per misuse, each
/// refused with an exception the caller sees and without changing the topic or channel.</summary>
public class GrainApiMisuseTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task Topic_named_with_a_slash_is_refused_by_the_grain_with_ArgumentException()
    {
        // "a/b" would make the key of its channel c, "a/b/c", read as topic "a", channel "b/c".
        var topic = Grains.GetGrain<ITopicGrain>(NewTopic("/b"));
        var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => topic.PublishAsync(new(PublishBatch.Single("m"u8.ToArray()))).AsTask());
        Assert.Contains("not a valid NSQ name", refused.Message);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => topic.CreateChannelAsync("c").AsTask());
    }

    [Fact]
    public async Task Channel_key_that_is_not_two_names_is_refused_by_the_grain_with_ArgumentException()
    {
        var topic = NewTopic();
        foreach (var key in new[] { $"{topic}/b/c", topic, $"{topic}/", $"{topic}/a b" })
        {
            var channel = Grains.GetGrain<IChannelGrain>(key);
            var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => channel.PullAsync(Request(Guid.NewGuid())).AsTask());
            Assert.Contains("not a channel key", refused.Message);
        }
    }

    [Theory]
    [InlineData("a/b", "c")]
    [InlineData("a", "b/c")]
    [InlineData("", "c")]
    [InlineData("a", "#ephemeral")]
    [InlineData("a", "12345678901234567890123456789012345678901234567890123456789012345")]
    public void Grain_references_of_names_that_are_not_NSQ_names_throw_before_any_call(string topic, string channel)
    {
        Assert.ThrowsAny<ArgumentException>(() => Grains.Channel(topic, channel));
        if (topic != "a") Assert.ThrowsAny<ArgumentException>(() => Grains.Topic(topic));
    }
}
