using System.Text.Json;

namespace OrleansNsq.Admin.Tests.Infrastructure;

/// <summary>
/// The JSON field names nsqadmin 1.3 writes, from the json tags of its internal/clusterinfo/types.go,
/// internal/quantile/aggregate.go and nsqadmin/http.go; <c>omitempty</c> fields are listed apart.
/// </summary>
public static class NsqadminShapes
{
    public static readonly string[] Producer =
        ["remote_addresses", "remote_address", "hostname", "broadcast_address", "tcp_port", "http_port", "version", "topics", "out_of_date"];

    public static readonly string[] ProducerOptional = ["topology_zone", "topology_region", "silo"];

    public static readonly string[] ProducerTopic = ["topic", "tombstoned"];

    public static readonly string[] TopicStats =
        ["node", "hostname", "topic_name", "depth", "memory_depth", "backend_depth", "message_count", "delivery_msg_count", "nodes", "channels", "paused", "e2e_processing_latency"];

    public static readonly string[] TopicStatsOptional = ["zone_local_msg_count", "region_local_msg_count", "global_msg_count"];

    public static readonly string[] ChannelStats =
    [
        "node", "hostname", "topic_name", "channel_name", "depth", "memory_depth", "backend_depth", "in_flight_count", "deferred_count",
        "requeue_count", "timeout_count", "message_count", "client_count", "nodes", "clients", "paused", "e2e_processing_latency",
    ];

    public static readonly string[] ChannelStatsOptional = ["delivery_msg_count", "zone_local_msg_count", "region_local_msg_count", "global_msg_count"];

    public static readonly string[] ClientStats =
    [
        "node", "remote_address", "version", "client_id", "hostname", "user_agent", "connect_ts", "connected", "in_flight_count", "ready_count",
        "finish_count", "requeue_count", "message_count", "sample_rate", "deflate", "snappy", "authed", "auth_identity", "auth_identity_url",
        "tls", "tls_cipher_suite", "tls_version", "tls_negotiated_protocol", "tls_negotiated_protocol_is_mutual",
    ];

    public static readonly string[] ClientStatsOptional = ["node_topology_region", "node_topology_zone", "topology_region", "topology_zone"];

    public static readonly string[] E2eLatency = ["count", "percentiles", "topic", "channel", "host"];

    public static readonly string[] CounterStats = ["node", "topic_name", "channel_name", "message_count"];

    /// <summary>Asserts that <paramref name="element"/> has every field of <paramref name="required"/> and no field
    /// outside it and <paramref name="optional"/>.</summary>
    public static void AssertFields(JsonElement element, string[] required, string[]? optional = null, string what = "object")
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var names = element.EnumerateObject().Select(p => p.Name).ToHashSet();
        var missing = required.Where(r => !names.Contains(r)).ToArray();
        var extra = names.Where(n => !required.Contains(n) && !(optional ?? []).Contains(n)).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"{what}: missing [{string.Join(", ", missing)}], not nsqadmin's [{string.Join(", ", extra)}] in {element}");
    }
}
