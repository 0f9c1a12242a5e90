using OrleansNsq.Gateway.Lookupd;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>The commands that keep a lookupd in line with the topic directory (nsqd/lookup.go's connectCallback and
/// its notifications).</summary>
public sealed class LookupRegistrationSetTests
{
    private static TopicDirectoryEntry Entry(string topic, params string[] channels) =>
        new() { Topic = topic, Channels = channels, HasProducer = true };

    [Fact]
    public void First_sync_registers_each_channel_and_each_topic_without_channels()
    {
        var set = new LookupRegistrationSet();
        Assert.Equal(["REGISTER a c1", "REGISTER a c2", "REGISTER b"], set.Sync([Entry("a", "c1", "c2"), Entry("b")]));
        Assert.Empty(set.Sync([Entry("a", "c1", "c2"), Entry("b")]));
    }

    [Fact]
    public void Later_syncs_send_only_the_differences()
    {
        var set = new LookupRegistrationSet();
        set.Sync([Entry("a", "c1"), Entry("b", "x")]);
        Assert.Equal(["UNREGISTER b", "UNREGISTER a c1", "REGISTER a c2", "REGISTER c"], set.Sync([Entry("a", "c2"), Entry("c")]));
    }

    [Fact]
    public void Topics_without_a_producer_here_are_not_registered()
    {
        var set = new LookupRegistrationSet();
        Assert.Empty(set.Sync([new TopicDirectoryEntry { Topic = "named", Channels = ["c"], HasProducer = false }]));
    }
}
