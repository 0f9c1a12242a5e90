using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// One Orleans silo as our lookupd's <c>GET /silos</c> lists it (membership: status, start time, its NSQ producer
/// endpoints, the topics and channels activated on it). A real nsqlookupd has no such endpoint.
/// </summary>
public sealed class SiloMember
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("start_time")] public string StartTime { get; set; } = "";
    [JsonPropertyName("i_am_alive_time")] public string IAmAliveTime { get; set; } = "";
    [JsonPropertyName("producer")] public SiloProducer? Producer { get; set; }
    [JsonPropertyName("topics")] public List<string>? Topics { get; set; }
    [JsonPropertyName("channels")] public List<string>? Channels { get; set; }

    /// <summary>The node name nsqadmin gives the silo's nsqd side (broadcast_address:http_port); null if it has none.</summary>
    public string? Node() => Producer is { } p ? HostPort.Join(p.BroadcastAddress, p.HttpPort) : null;
}

/// <summary>The NSQ endpoints a silo's gateway serves.</summary>
public sealed class SiloProducer
{
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("broadcast_address")] public string BroadcastAddress { get; set; } = "";
    [JsonPropertyName("tcp_port")] public int TcpPort { get; set; }
    [JsonPropertyName("http_port")] public int HttpPort { get; set; }
}

/// <summary>lookupd's GET /silos.</summary>
public sealed class SiloList
{
    [JsonPropertyName("silos")] public List<SiloMember>? Silos { get; set; }
}

/// <summary>
/// The <c>silo</c> object /api/nodes adds to a node that is a silo: membership (status, start time, hosted topics
/// and channels) and what the node's own /info and /stats say (version, uptime, memory).
/// </summary>
public sealed class SiloNode
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("start_time")] public string StartTime { get; set; } = "";
    [JsonPropertyName("uptime_seconds")] public long? UptimeSeconds { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("memory")] public JsonElement? Memory { get; set; }
    [JsonPropertyName("topics")] public List<string>? Topics { get; set; }
    [JsonPropertyName("channels")] public List<string>? Channels { get; set; }
}
