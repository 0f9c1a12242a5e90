namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// One TCP client as /stats shows it (nsqd 1.3.0: nsqd/stats.go ClientStats). Taken from the live connection when /stats asks.
/// </summary>
public sealed record ClientSnapshot
{
    public required string ClientId { get; init; }
    public required string Hostname { get; init; }
    public required string RemoteAddress { get; init; }
    /// <summary>0 init, 3 subscribed, 4 closing.</summary>
    public int State { get; init; }
    public long ReadyCount { get; init; }
    public long InFlightCount { get; init; }
    public long MessageCount { get; init; }
    public long FinishCount { get; init; }
    public long RequeueCount { get; init; }
    public long ConnectTimestamp { get; init; }
    public int SampleRate { get; init; }
    public bool Deflate { get; init; }
    public bool Snappy { get; init; }
    /// <summary>The connection's TLS, null when it is not TLS.</summary>
    public OrleansNsq.Gateway.Tls.TlsConnectionState? Tls { get; init; }
    public string UserAgent { get; init; } = "";
    /// <summary>Subscribed topic and channel (null before SUB).</summary>
    public string? Topic { get; init; }
    public string? Channel { get; init; }
    /// <summary>Messages published per topic over this connection (empty when it never published).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> PubCounts { get; init; } = [];
}

/// <summary>The live TCP clients of this gateway, for /stats.</summary>
public interface IClientRegistry
{
    IReadOnlyList<ClientSnapshot> Snapshot();

    /// <summary>Number of live TCP connections (for health and tests).</summary>
    int Count { get; }
}
