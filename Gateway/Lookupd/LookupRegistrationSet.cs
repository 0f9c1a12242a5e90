using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// What this node has registered with one lookupd over one connection, and the commands that bring it in line with
/// the topic directory. The lookupd's own rules shape the commands: <c>REGISTER t c</c> registers the topic too, and
/// <c>UNREGISTER t</c> drops the node's channels of the topic as well. Topics known only by name (lookupd's
/// /topic/create, no producer here) are not this node's to register.
/// </summary>
internal sealed class LookupRegistrationSet
{
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private readonly HashSet<(string Topic, string Channel)> _channels = [];

    /// <summary>The command lines (without <c>\n</c>) to send, in order; the set assumes each is answered OK.</summary>
    public List<string> Sync(IReadOnlyList<TopicDirectoryEntry> entries)
    {
        var lines = new List<string>();
        var wantedTopics = new HashSet<string>(StringComparer.Ordinal);
        var wantedChannels = new HashSet<(string, string)>();
        foreach (var entry in entries)
        {
            if (!entry.HasProducer) continue;
            wantedTopics.Add(entry.Topic);
            foreach (var channel in entry.Channels) wantedChannels.Add((entry.Topic, channel));
        }

        foreach (var topic in _topics.Where(t => !wantedTopics.Contains(t)).ToList())
        {
            lines.Add($"UNREGISTER {topic}");
            _topics.Remove(topic);
            _channels.RemoveWhere(c => c.Topic == topic);
        }
        foreach (var key in _channels.Where(c => !wantedChannels.Contains(c)).ToList())
        {
            lines.Add($"UNREGISTER {key.Topic} {key.Channel}");
            _channels.Remove(key);
        }
        foreach (var entry in entries)
        {
            if (!entry.HasProducer) continue;
            foreach (var channel in entry.Channels)
            {
                if (!_channels.Add((entry.Topic, channel))) continue;
                lines.Add($"REGISTER {entry.Topic} {channel}");
                _topics.Add(entry.Topic);
            }
            if (_topics.Add(entry.Topic)) lines.Add($"REGISTER {entry.Topic}");
        }
        return lines;
    }
}
