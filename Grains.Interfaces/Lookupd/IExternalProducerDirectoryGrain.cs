using OrleansNsq.Lookupd;

namespace OrleansNsq;

/// <summary>
/// nsqlookupd's registration table (nsqlookupd/registration_db.go) for the nsqd nodes that registered over the
/// lookupd TCP port (one grain, key 0), so every silo's lookupd HTTP API sees the same producers. In memory only: a
/// registration lives as long as its TCP connection, and nsqd sends them all again when it reconnects. If the grain
/// is reactivated, the connections notice on their next PING (<see cref="PingAsync"/> answers false) and send what
/// they hold with <see cref="RestoreAsync"/>.
/// Internal (the gateway, which speaks lookupd's TCP protocol, sees it): a service that registered a peer or a topic
/// here would make lookupd name producers that do not exist.
/// </summary>
[Alias("OrleansNsq.IExternalProducerDirectoryGrain")]
internal interface IExternalProducerDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>IDENTIFY: the peer becomes a producer of the <c>client</c> registration, last update now.</summary>
    [Alias("Identify")]
    ValueTask IdentifyAsync(ExternalPeer peer, CancellationToken cancellationToken = default);

    /// <summary>REGISTER topic [channel]: adds the peer to the channel (if any) and to the topic.</summary>
    [Alias("Register")]
    ValueTask RegisterAsync(string peerId, string topic, string? channel, CancellationToken cancellationToken = default);

    /// <summary>UNREGISTER topic [channel], with nsqlookupd's rules: the topic form also drops the peer's channels of
    /// the topic, and an <c>#ephemeral</c> key with no producer left is removed.</summary>
    [Alias("Unregister")]
    ValueTask UnregisterAsync(string peerId, string topic, string? channel, CancellationToken cancellationToken = default);

    /// <summary>PING: last update now. False when the peer is unknown here (the grain was reactivated).</summary>
    [Alias("Ping")]
    ValueTask<bool> PingAsync(string peerId, CancellationToken cancellationToken = default);

    /// <summary>After <see cref="PingAsync"/> answered false: the peer and the registrations its connection holds.</summary>
    [Alias("Restore")]
    ValueTask RestoreAsync(ExternalPeer peer, Immutable<ExternalRegistrationKey[]> registrations, CancellationToken cancellationToken = default);

    /// <summary>The connection closed: the peer leaves every registration; the keys stay, as in nsqlookupd.</summary>
    [Alias("Disconnect")]
    ValueTask DisconnectAsync(string peerId, CancellationToken cancellationToken = default);

    /// <summary>/topic/tombstone: tombstones the topic's producers whose <c>broadcast_address:http_port</c> is node.</summary>
    [Alias("Tombstone")]
    ValueTask TombstoneAsync(string topic, string node, CancellationToken cancellationToken = default);

    /// <summary>/topic/delete: removes the topic key and its channel keys with their producers.</summary>
    [Alias("DeleteTopic")]
    ValueTask DeleteTopicAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>/channel/delete: removes the channel key. False when there was none.</summary>
    [Alias("DeleteChannel")]
    ValueTask<bool> DeleteChannelAsync(string topic, string channel, CancellationToken cancellationToken = default);

    /// <summary>Everything, for the lookupd HTTP API to filter (inactivity, tombstones) and merge.</summary>
    [Alias("GetSnapshot")]
    ValueTask<ExternalProducerSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default);
}
