using OrleansNsq.Lookupd;

namespace OrleansNsq.Grains.Lookupd;

/// <summary>The grain shell around <see cref="ExternalRegistrations"/> (one per cluster, key 0). Called by the lookupd
/// TCP connections (a few calls per nsqd topic or channel change and one per PING, every 15 s) and by the lookupd HTTP
/// API. Kept alive: its state is in memory only.</summary>
[KeepAlive]
internal sealed class ExternalProducerDirectoryGrain(TimeProvider time) : Grain, IExternalProducerDirectoryGrain
{
    private readonly ExternalRegistrations _registrations = new();

    public ValueTask IdentifyAsync(ExternalPeer peer, CancellationToken cancellationToken = default)
    {
        _registrations.Identify(peer, time.UnixNs());
        return ValueTask.CompletedTask;
    }

    public ValueTask RegisterAsync(string peerId, string topic, string? channel, CancellationToken cancellationToken = default)
    {
        _registrations.Register(peerId, topic, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask UnregisterAsync(string peerId, string topic, string? channel, CancellationToken cancellationToken = default)
    {
        _registrations.Unregister(peerId, topic, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> PingAsync(string peerId, CancellationToken cancellationToken = default) =>
        new(_registrations.Ping(peerId, time.UnixNs()));

    public ValueTask RestoreAsync(ExternalPeer peer, Immutable<ExternalRegistrationKey[]> registrations, CancellationToken cancellationToken = default)
    {
        _registrations.Identify(peer, time.UnixNs());
        foreach (var key in registrations.Value) _registrations.Register(peer.Id, key.Topic, key.Channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectAsync(string peerId, CancellationToken cancellationToken = default)
    {
        _registrations.Disconnect(peerId);
        return ValueTask.CompletedTask;
    }

    public ValueTask TombstoneAsync(string topic, string node, CancellationToken cancellationToken = default)
    {
        _registrations.Tombstone(topic, node, time.UnixNs());
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        _registrations.DeleteTopic(topic);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteChannelAsync(string topic, string channel, CancellationToken cancellationToken = default) =>
        new(_registrations.DeleteChannel(topic, channel));

    public ValueTask<ExternalProducerSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default) =>
        new(_registrations.Snapshot());
}
