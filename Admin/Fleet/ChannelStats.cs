using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>A channel on one node, or summed over nodes, as nsqadmin shows it (clusterinfo.ChannelStats).</summary>
public class ChannelStats
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("topic_name")] public string TopicName { get; set; } = "";
    [JsonPropertyName("channel_name")] public string ChannelName { get; set; } = "";
    [JsonPropertyName("depth")] public long Depth { get; set; }
    [JsonPropertyName("memory_depth")] public long MemoryDepth { get; set; }
    [JsonPropertyName("backend_depth")] public long BackendDepth { get; set; }
    [JsonPropertyName("in_flight_count")] public long InFlightCount { get; set; }
    [JsonPropertyName("deferred_count")] public long DeferredCount { get; set; }
    [JsonPropertyName("requeue_count")] public long RequeueCount { get; set; }
    [JsonPropertyName("timeout_count")] public long TimeoutCount { get; set; }
    [JsonPropertyName("message_count")] public long MessageCount { get; set; }

    [JsonPropertyName("delivery_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long DeliveryMsgCount { get; set; }

    [JsonPropertyName("zone_local_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ZoneLocalMsgCount { get; set; }

    [JsonPropertyName("region_local_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long RegionLocalMsgCount { get; set; }

    [JsonPropertyName("global_msg_count"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GlobalMsgCount { get; set; }

    [JsonPropertyName("client_count")] public int ClientCount { get; set; }
    [JsonPropertyName("nodes")] public List<ChannelStats>? NodeStats { get; set; }
    [JsonPropertyName("clients")] public List<ClientStats>? Clients { get; set; }
    [JsonPropertyName("paused")] public bool Paused { get; set; }
    [JsonPropertyName("e2e_processing_latency")] public E2eLatencyAggregate? E2eProcessingLatency { get; set; }

    /// <summary>clusterinfo's ChannelStats.Add: sums, keeps the node's stats and clients, ordered by hostname.</summary>
    public void Add(ChannelStats a)
    {
        Node = "*";
        Depth += a.Depth;
        MemoryDepth += a.MemoryDepth;
        BackendDepth += a.BackendDepth;
        InFlightCount += a.InFlightCount;
        DeferredCount += a.DeferredCount;
        RequeueCount += a.RequeueCount;
        TimeoutCount += a.TimeoutCount;
        MessageCount += a.MessageCount;
        DeliveryMsgCount += a.DeliveryMsgCount;
        ZoneLocalMsgCount += a.ZoneLocalMsgCount;
        RegionLocalMsgCount += a.RegionLocalMsgCount;
        GlobalMsgCount += a.GlobalMsgCount;
        ClientCount += a.ClientCount;
        if (a.Paused) Paused = true;
        (NodeStats ??= []).Add(a);
        FleetOrder.ByHostname(NodeStats, static c => c.Hostname);
        E2eProcessingLatency ??= new E2eLatencyAggregate { Addr = Node, Topic = TopicName, Channel = ChannelName };
        E2eProcessingLatency.Add(a.E2eProcessingLatency);
        if (a.Clients is { Count: > 0 })
        {
            (Clients ??= []).AddRange(a.Clients);
            FleetOrder.ByHostname(Clients, static c => c.Hostname);
        }
    }
}

/// <summary>/api/topics/:topic/:channel: the channel over every node, plus nsqadmin's warning text.</summary>
public sealed class ChannelStatsResponse : ChannelStats
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}
