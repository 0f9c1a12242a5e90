using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Consumers;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Subscriptions;

/// <summary>
/// One <see cref="ChannelPump"/> per channel that has consumers on this gateway, their TCP sessions its holders: the
/// first SUB creates it, the last consumer to leave stops it.
/// </summary>
internal sealed class SubscriptionRegistry(
    IGrainFactory grains,
    IOptions<SubscriptionOptions> options,
    IOptions<NsqdOptions> nsqd,
    TimeProvider time,
    ILogger<ChannelPump> logger)
{
    private readonly Dictionary<string, ChannelPump> _subscriptions = new(StringComparer.Ordinal);
    private readonly PumpSettings _settings = new()
    {
        MaxPullCount = options.Value.MaxPullCount,
        PullWait = options.Value.PullWait,
        LeaseScanInterval = options.Value.LeaseScanInterval,
        MaxMsgTimeoutMs = (long)nsqd.Value.MaxMsgTimeout.TotalMilliseconds,
        CallTimeout = nsqd.Value.PublishTimeout,
    };
    // SUBs between BeginJoin and Join (creating the channel), per channel key.
    private readonly Dictionary<string, int> _joining = new(StringComparer.Ordinal);
    // Ephemeral channels: a SUB's create and a last-consumer delete of the same channel take turns (striped by key),
    // so a delete decided before a SUB began never lands after that SUB's create.
    private readonly SemaphoreSlim[] _ephemeralTurns = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Waits for the turn of an ephemeral channel's create or delete; dispose the result to end it.</summary>
    public async ValueTask<IDisposable> EphemeralTurnAsync(string topic, string channel)
    {
        var turn = _ephemeralTurns[(int)((uint)StringComparer.Ordinal.GetHashCode(ChannelKey.Of(topic, channel)) % (uint)_ephemeralTurns.Length)];
        await turn.WaitAsync().ConfigureAwait(false);
        return new TurnEnd(turn);
    }

    private sealed class TurnEnd(SemaphoreSlim turn) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) turn.Release();
        }
    }

    /// <summary>A SUB is about to create the channel and join: until it does, the channel counts as used here, so an
    /// ephemeral channel's last local consumer leaving meanwhile does not delete it under the new one.</summary>
    public void BeginJoin(string topic, string channel)
    {
        var key = ChannelKey.Of(topic, channel);
        lock (_subscriptions) _joining[key] = _joining.GetValueOrDefault(key) + 1;
    }

    /// <summary>The SUB begun with <see cref="BeginJoin"/> failed before joining.</summary>
    public void AbandonJoin(string topic, string channel)
    {
        lock (_subscriptions) EndJoinLocked(ChannelKey.Of(topic, channel));
    }

    /// <summary>Consumers of the channel here, or SUBs on their way: an ephemeral channel is still in use.</summary>
    public bool InUse(string topic, string channel)
    {
        var key = ChannelKey.Of(topic, channel);
        lock (_subscriptions)
            return _joining.ContainsKey(key) || _subscriptions.TryGetValue(key, out var s) && s.HolderCount > 0;
    }

    private void EndJoinLocked(string key)
    {
        var left = _joining.GetValueOrDefault(key) - 1;
        if (left > 0) _joining[key] = left;
        else _joining.Remove(key);
    }

    /// <summary>Local consumers of a channel (for --max-channel-consumers).</summary>
    public int ConsumerCount(string topic, string channel)
    {
        lock (_subscriptions)
            return _subscriptions.TryGetValue(ChannelKey.Of(topic, channel), out var s) ? s.HolderCount : 0;
    }

    /// <summary>Ends the SUB begun with <see cref="BeginJoin"/>: the consumer's place in the channel's pump.</summary>
    public HeldLeases Join(string topic, string channel, ILeaseHolder consumer)
    {
        var key = ChannelKey.Of(topic, channel);
        ChannelPump? pump;
        HeldLeases? leases = null;
        var created = false;
        lock (_subscriptions)
        {
            EndJoinLocked(key);
            // A pump that found its channel deleted refuses new consumers while its old ones are leaving.
            if (!_subscriptions.TryGetValue(key, out pump) || (leases = pump.TryAdd(consumer)) is null)
            {
                pump = new ChannelPump(grains.Channel(topic, channel), topic, channel, _settings,
                    () => DeleteIfUnusedAsync(topic, channel), time, logger);
                _subscriptions[key] = pump;
                created = true;
                leases = pump.TryAdd(consumer)!;
            }
        }
        if (created) pump.Start();
        return leases;
    }

    public void Leave(HeldLeases leases)
    {
        var pump = leases.Pump;
        bool last;
        lock (_subscriptions)
        {
            last = pump.Remove(leases) == 0;
            // The key may name a newer pump by now (see Join).
            var key = ChannelKey.Of(pump.Topic, pump.Channel);
            if (last && _subscriptions.TryGetValue(key, out var current) && current == pump)
                _subscriptions.Remove(key);
        }
        if (last) _ = pump.StopAsync();
    }

    /// <summary>The channel answered that the ephemeral channel has no consumer left anywhere. That answer predates a
    /// SUB that has just started this gateway's next pump for it (its count may not have reached the channel yet):
    /// that consumer keeps the channel, as in nsqd.</summary>
    private async Task DeleteIfUnusedAsync(string topic, string channel)
    {
        using var turn = await EphemeralTurnAsync(topic, channel);
        if (!InUse(topic, channel)) await grains.Topic(topic).DeleteChannelAsync(channel);
    }
}
