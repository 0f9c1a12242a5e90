namespace OrleansNsq.Lookupd;

/// <summary>The external registration table at one moment: peers in IDENTIFY order, keys in registration order.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalProducerSnapshot")]
public sealed record ExternalProducerSnapshot
{
    public static readonly ExternalProducerSnapshot Empty = new() { Peers = [], Topics = [] };

    [Id(0)] public required ExternalPeerState[] Peers { get; init; }
    [Id(1)] public required ExternalTopic[] Topics { get; init; }

    public ExternalTopic? Find(string topic) => Array.Find(Topics, t => t.Topic == topic);

    public ExternalPeerState? Peer(string id) => Array.Find(Peers, p => p.Peer.Id == id);
}

/// <summary>A peer and its last IDENTIFY or PING (Unix ns, nsqlookupd's <c>last_update</c>).</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalPeerState")]
public sealed record ExternalPeerState([property: Id(0)] ExternalPeer Peer, [property: Id(1)] long LastUpdateUnixNs);

/// <summary>
/// The <c>topic:T:</c> key with its producers, and the <c>channel:T:*</c> keys. A key outlives its producers (the
/// nsqd disconnected): /topics and /lookup still know the topic, with no producer.
/// <see cref="Exists"/> is false when only channel keys are left (an <c>#ephemeral</c> topic key was removed).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalTopic")]
public sealed record ExternalTopic
{
    [Id(0)] public required string Topic { get; init; }
    [Id(1)] public bool Exists { get; init; }
    [Id(2)] public required ExternalProducer[] Producers { get; init; }
    [Id(3)] public required ExternalChannel[] Channels { get; init; }
}

/// <summary>One peer under a topic key. <see cref="TombstonedAtUnixNs"/> is 0 when never tombstoned.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalProducer")]
public sealed record ExternalProducer([property: Id(0)] string PeerId, [property: Id(1)] long TombstonedAtUnixNs);

/// <summary>A <c>channel:T:C</c> key and the peers registered under it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ExternalChannel")]
public sealed record ExternalChannel([property: Id(0)] string Channel, [property: Id(1)] string[] PeerIds);
