namespace OrleansNsq.Lookupd;

/// <summary>
/// An nsqd that IDENTIFYed on the lookupd TCP port (nsqlookupd's PeerInfo). <see cref="Id"/> names the connection:
/// nsqlookupd uses the remote address, which is unique on one host only, so ours also names the gateway process.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalPeer")]
public sealed record ExternalPeer
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>ip:port the nsqd connected from.</summary>
    [Id(1)] public required string RemoteAddress { get; init; }
    [Id(2)] public required string Hostname { get; init; }
    [Id(3)] public required string BroadcastAddress { get; init; }
    [Id(4)] public int TcpPort { get; init; }
    [Id(5)] public int HttpPort { get; init; }
    [Id(6)] public required string Version { get; init; }

    /// <summary>What /topic/tombstone's <c>node</c> parameter matches.</summary>
    public string Node => $"{BroadcastAddress}:{HttpPort}";
}

/// <summary>A registration key as a connection holds it: a topic (<see cref="Channel"/> null) or a channel.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalRegistrationKey")]
public sealed record ExternalRegistrationKey([property: Id(0)] string Topic, [property: Id(1)] string? Channel);
