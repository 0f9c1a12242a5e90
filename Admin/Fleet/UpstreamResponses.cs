using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>lookupd's GET /topics.</summary>
internal sealed class LookupdTopics
{
    [JsonPropertyName("topics")] public List<string>? Topics { get; set; }
}

/// <summary>lookupd's GET /channels?topic=.</summary>
internal sealed class LookupdChannels
{
    [JsonPropertyName("channels")] public List<string>? Channels { get; set; }
}

/// <summary>lookupd's GET /nodes and GET /lookup?topic= (only the producers are read).</summary>
internal sealed class LookupdProducers
{
    [JsonPropertyName("producers")] public List<LookupdPeer>? Producers { get; set; }
}

/// <summary>nsqd's GET /info, the fields nsqadmin reads (start_time for a silo's uptime).</summary>
internal sealed class NsqdInfo
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("broadcast_address")] public string BroadcastAddress { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("http_port")] public int HttpPort { get; set; }
    [JsonPropertyName("tcp_port")] public int TcpPort { get; set; }
    [JsonPropertyName("start_time")] public long StartTime { get; set; }
    [JsonPropertyName("topology_zone")] public string? TopologyZone { get; set; }
    [JsonPropertyName("topology_region")] public string? TopologyRegion { get; set; }
}

/// <summary>nsqd's GET /stats?format=json: its topics (with channels and clients) and its memory figures.</summary>
internal sealed class NsqdStats
{
    [JsonPropertyName("topics")] public List<TopicStats>? Topics { get; set; }
    [JsonPropertyName("start_time")] public long StartTime { get; set; }
    [JsonPropertyName("memory")] public JsonElement? Memory { get; set; }
}
