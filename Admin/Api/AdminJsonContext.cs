using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansNsq.Admin.Fleet;

namespace OrleansNsq.Admin.Api;

/// <summary>{"message": …}: nsqadmin's error body, and the answer of its actions.</summary>
public sealed class MessageResponse
{
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>GET /api/topics.</summary>
public sealed class TopicsResponse
{
    [JsonPropertyName("topics")] public List<string>? Topics { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>GET /api/topics?inactive=true: each topic without producers, with its channels.</summary>
public sealed class InactiveTopicsResponse
{
    [JsonPropertyName("topics")] public Dictionary<string, List<string>?> Topics { get; set; } = [];
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>GET /api/nodes.</summary>
public sealed class NodesResponse
{
    [JsonPropertyName("nodes")] public List<Producer>? Nodes { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>GET /api/nodes/:node: its topics with their channels and clients, and their totals.</summary>
public sealed class NodeResponse
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("topics")] public List<TopicStats>? Topics { get; set; }
    [JsonPropertyName("total_messages")] public long TotalMessages { get; set; }
    [JsonPropertyName("total_clients")] public long TotalClients { get; set; }

    [JsonPropertyName("silo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SiloNode? Silo { get; set; }

    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>One channel of one node in GET /api/counter.</summary>
public sealed class CounterStats
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("topic_name")] public string TopicName { get; set; } = "";
    [JsonPropertyName("channel_name")] public string ChannelName { get; set; } = "";
    [JsonPropertyName("message_count")] public long MessageCount { get; set; }
}

/// <summary>GET /api/counter: keyed <c>topic:channel:node</c>.</summary>
public sealed class CounterResponse
{
    [JsonPropertyName("stats")] public Dictionary<string, CounterStats> Stats { get; set; } = [];
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

/// <summary>GET /api/silos (ours): every silo of Orleans membership the lookupds know, dead ones included.</summary>
public sealed class SilosResponse
{
    [JsonPropertyName("silos")] public List<SiloMember> Silos { get; set; } = [];
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(TopicsResponse))]
[JsonSerializable(typeof(InactiveTopicsResponse))]
[JsonSerializable(typeof(TopicStatsResponse))]
[JsonSerializable(typeof(ChannelStatsResponse))]
[JsonSerializable(typeof(NodesResponse))]
[JsonSerializable(typeof(NodeResponse))]
[JsonSerializable(typeof(CounterResponse))]
[JsonSerializable(typeof(SilosResponse))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    /// <summary>Quotes and apostrophes written as themselves (<c>\"</c>, not <c>\u0022</c>), as Go writes them in the
    /// upstream errors nsqadmin passes on.</summary>
    public static AdminJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>POST /api/topics.</summary>
internal sealed class CreateTopicChannelBody
{
    [JsonPropertyName("topic")] public string? Topic { get; set; }
    [JsonPropertyName("channel")] public string? Channel { get; set; }
}

/// <summary>POST /api/topics/:topic[/:channel].</summary>
internal sealed class ActionBody
{
    [JsonPropertyName("action")] public string? Action { get; set; }
}

/// <summary>DELETE /api/nodes/:node.</summary>
internal sealed class TombstoneBody
{
    [JsonPropertyName("topic")] public string? Topic { get; set; }
}

/// <summary>Request bodies, read as Go's encoding/json reads them: field names in any case.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(CreateTopicChannelBody))]
[JsonSerializable(typeof(ActionBody))]
[JsonSerializable(typeof(TombstoneBody))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class AdminBodyJsonContext : JsonSerializerContext;
