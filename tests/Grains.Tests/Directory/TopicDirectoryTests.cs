using OrleansNsq.Grains.Directory;

namespace OrleansNsq.Grains.Tests.Directory;

public class TopicDirectoryTests
{
    [Fact]
    public void Entries_are_sorted_by_topic_with_sorted_channels()
    {
        var directory = new TopicDirectory();
        directory.ChannelCreated("b", "z");
        directory.ChannelCreated("b", "a");
        directory.TopicCreated("a");

        var entries = directory.GetEntries(0);

        Assert.Equal(["a", "b"], entries.Select(e => e.Topic));
        Assert.Equal(["a", "z"], entries[1].Channels);
        Assert.All(entries, e => Assert.True(e.HasProducer));
    }

    [Fact]
    public void Names_registered_through_lookupd_have_no_producer_until_the_topic_is_created()
    {
        var directory = new TopicDirectory();
        directory.Register("t", "c");

        Assert.False(Assert.Single(directory.GetEntries(0)).HasProducer);
        Assert.Equal(["c"], directory.GetEntries(0)[0].Channels);

        directory.TopicCreated("t");
        Assert.True(Assert.Single(directory.GetEntries(0)).HasProducer);
    }

    [Fact]
    public void Unregister_topic_removes_it_with_its_channels_and_is_false_when_unknown()
    {
        var directory = new TopicDirectory();
        directory.ChannelCreated("t", "c");

        Assert.True(directory.Unregister("t", null));
        Assert.Empty(directory.GetEntries(0));
        Assert.False(directory.Unregister("t", null));
    }

    [Fact]
    public void Unregister_channel_keeps_the_topic_and_is_false_when_unknown()
    {
        var directory = new TopicDirectory();
        directory.ChannelCreated("t", "c");

        Assert.True(directory.Unregister("t", "c"));
        Assert.Empty(Assert.Single(directory.GetEntries(0)).Channels);
        Assert.False(directory.Unregister("t", "c"));
        Assert.False(directory.Unregister("other", "c"));
    }

    [Fact]
    public void Deleted_topic_and_channel_leave_the_directory()
    {
        var directory = new TopicDirectory();
        directory.ChannelCreated("t", "c");
        directory.ChannelCreated("t", "d");
        directory.ChannelCreated("u", "c");

        directory.ChannelDeleted("t", "c");
        directory.TopicDeleted("u");

        Assert.Equal(["d"], Assert.Single(directory.GetEntries(0)).Channels);
    }

    [Fact]
    public void Tombstone_lasts_for_its_lifetime_and_only_applies_to_known_topics()
    {
        var directory = new TopicDirectory();
        directory.TopicCreated("t");

        Assert.True(directory.Tombstone("t", "a:4151", TimeSpan.FromSeconds(45), 1_000));
        Assert.False(directory.Tombstone("unknown", "a:4151", TimeSpan.FromSeconds(45), 1_000));

        Assert.Equal(46_000, directory.GetEntries(45_999)[0].TombstonedUntil("a:4151"));
        Assert.Equal(0, directory.GetEntries(46_000)[0].TombstonedUntil("a:4151"));
        Assert.Single(directory.GetEntries(0));
    }

    [Fact]
    public void Tombstone_hides_only_the_producer_it_names()
    {
        var directory = new TopicDirectory();
        directory.TopicCreated("t");

        directory.Tombstone("t", "a:4151", TimeSpan.FromSeconds(45), 1_000);

        var entry = directory.GetEntries(2_000)[0];
        Assert.Equal(46_000, entry.TombstonedUntil("a:4151"));
        Assert.Equal(0, entry.TombstonedUntil("b:4151"));
    }
}
