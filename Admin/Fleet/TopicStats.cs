using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// A topic on one node, or summed over nodes (<see cref="Node"/> "*"), as nsqadmin's /api/topics/:topic shows it
/// (clusterinfo.TopicStats): the per-node figures come from that node's /stats; <see cref="Add"/> sums them.
/// </summary>
public class TopicStats
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("topic_name")] public string TopicName { get; set; } = "";
    [JsonPropertyName("depth")] public long Depth { get; set; }
    [JsonPropertyName("memory_depth")] public long MemoryDepth { get; set; }
    [JsonPropertyName("backend_depth")] public long BackendDepth { get; set; }
    [JsonPropertyName("message_count")] public long MessageCount { get; set; }
    [JsonPropertyName("delivery_msg_count")] public long DeliveryMsgCount { get; set; }

    [JsonPropertyName("zone_local_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ZoneLocalMsgCount { get; set; }

    [JsonPropertyName("region_local_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long RegionLocalMsgCount { get; set; }

    [JsonPropertyName("global_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GlobalMsgCount { get; set; }

    [JsonPropertyName("nodes")] public List<TopicStats>? NodeStats { get; set; }
    [JsonPropertyName("channels")] public List<ChannelStats>? Channels { get; set; }
    [JsonPropertyName("paused")] public bool Paused { get; set; }
    [JsonPropertyName("e2e_processing_latency")] public E2eLatencyAggregate? E2eProcessingLatency { get; set; }

    /// <summary>
    /// clusterinfo's TopicStats.Add, step for step: a channel first seen on one node is that node's object, later
    /// nodes are added into it (so with one node the topic's channels are that node's own, "node" its address).
    /// </summary>
    public void Add(TopicStats a)
    {
        Node = "*";
        Depth += a.Depth;
        MemoryDepth += a.MemoryDepth;
        BackendDepth += a.BackendDepth;
        MessageCount += a.MessageCount;
        DeliveryMsgCount += a.DeliveryMsgCount;
        ZoneLocalMsgCount += a.ZoneLocalMsgCount;
        RegionLocalMsgCount += a.RegionLocalMsgCount;
        GlobalMsgCount += a.GlobalMsgCount;
        if (a.Paused) Paused = true;
        foreach (var aChannel in a.Channels ?? [])
        {
            var found = false;
            foreach (var channel in Channels ?? [])
            {
                if (aChannel.ChannelName != channel.ChannelName) continue;
                found = true;
                channel.Add(aChannel);
            }
            if (!found) (Channels ??= []).Add(aChannel);
        }
        (NodeStats ??= []).Add(a);
        FleetOrder.ByHostname(NodeStats, static t => t.Hostname);
        E2eProcessingLatency ??= new E2eLatencyAggregate { Addr = Node, Topic = TopicName };
        E2eProcessingLatency.Add(a.E2eProcessingLatency);
    }
}

/// <summary>/api/topics/:topic: the topic over every node, plus nsqadmin's warning text.</summary>
public sealed class TopicStatsResponse : TopicStats
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}
