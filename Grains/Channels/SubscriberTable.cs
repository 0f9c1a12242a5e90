namespace OrleansNsq.Grains.Channels;

/// <summary>The gateway subscriptions of a channel with their consumer counts (client_count is the sum) and when each
/// was last heard from, so a crashed gateway's consumers do not keep an ephemeral channel alive forever.</summary>
internal sealed class SubscriberTable
{
    private readonly Dictionary<Guid, Subscriber> _subscribers = new();
    private List<Guid>? _idle;

    /// <summary>Consumers through every gateway (nsqd's client_count).</summary>
    public int ClientCount { get; private set; }

    public int Count => _subscribers.Count;

    /// <summary>A subscription reports its consumers; 0 removes it.</summary>
    public void Set(Guid id, int clientCount, long nowUnixMs)
    {
        if (_subscribers.Remove(id, out var old)) ClientCount -= old.ClientCount;
        if (clientCount <= 0) return;
        _subscribers[id] = new Subscriber(clientCount, nowUnixMs);
        ClientCount += clientCount;
    }

    /// <summary>A known subscription showed life (a pull); unknown ids are not added, their count is unknown.</summary>
    public void Seen(Guid id, long nowUnixMs)
    {
        if (_subscribers.TryGetValue(id, out var subscriber))
            _subscribers[id] = subscriber with { LastSeenUnixMs = nowUnixMs };
    }

    /// <summary>Forgets subscriptions not seen since now − idle. Returns how many were forgotten.</summary>
    public int ForgetIdle(long nowUnixMs, long idleMs)
    {
        foreach (var (id, subscriber) in _subscribers)
            if (nowUnixMs - subscriber.LastSeenUnixMs >= idleMs) (_idle ??= []).Add(id);
        if (_idle is not { Count: > 0 }) return 0;
        var forgotten = _idle.Count;
        foreach (var id in _idle) Set(id, 0, nowUnixMs);
        _idle.Clear();
        return forgotten;
    }

    /// <summary>The ids of the subscriptions known now.</summary>
    public Guid[] Ids() => [.. _subscribers.Keys];

    public void Clear()
    {
        _subscribers.Clear();
        ClientCount = 0;
    }

    private readonly record struct Subscriber(int ClientCount, long LastSeenUnixMs);
}
