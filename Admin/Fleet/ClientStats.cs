using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>One consumer connection as nsqadmin shows it (clusterinfo.ClientStats), read from a node's /stats.</summary>
public sealed class ClientStats
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("remote_address")] public string RemoteAddress { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("client_id")] public string ClientId { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("user_agent")] public string UserAgent { get; set; } = "";
    [JsonPropertyName("connect_ts")] public long ConnectTs { get; set; }

    /// <summary>How long connected, in nanoseconds (a Go time.Duration): whole seconds now minus connect_ts.</summary>
    [JsonPropertyName("connected")] public long ConnectedDuration { get; set; }

    [JsonPropertyName("in_flight_count")] public int InFlightCount { get; set; }
    [JsonPropertyName("ready_count")] public int ReadyCount { get; set; }
    [JsonPropertyName("finish_count")] public long FinishCount { get; set; }
    [JsonPropertyName("requeue_count")] public long RequeueCount { get; set; }
    [JsonPropertyName("message_count")] public long MessageCount { get; set; }
    [JsonPropertyName("sample_rate")] public int SampleRate { get; set; }
    [JsonPropertyName("deflate")] public bool Deflate { get; set; }
    [JsonPropertyName("snappy")] public bool Snappy { get; set; }
    [JsonPropertyName("authed")] public bool Authed { get; set; }
    [JsonPropertyName("auth_identity")] public string AuthIdentity { get; set; } = "";
    [JsonPropertyName("auth_identity_url")] public string AuthIdentityUrl { get; set; } = "";

    [JsonPropertyName("node_topology_region"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? NodeTopologyRegion { get; set; }

    [JsonPropertyName("node_topology_zone"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? NodeTopologyZone { get; set; }

    [JsonPropertyName("topology_region"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? TopologyRegion { get; set; }

    [JsonPropertyName("topology_zone"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? TopologyZone { get; set; }

    [JsonPropertyName("tls")] public bool Tls { get; set; }
    [JsonPropertyName("tls_cipher_suite")] public string CipherSuite { get; set; } = "";
    [JsonPropertyName("tls_version")] public string TlsVersion { get; set; } = "";
    [JsonPropertyName("tls_negotiated_protocol")] public string TlsNegotiatedProtocol { get; set; } = "";
    [JsonPropertyName("tls_negotiated_protocol_is_mutual")] public bool TlsNegotiatedProtocolIsMutual { get; set; }
}
