using System.Collections.Concurrent;

namespace OrleansNsq.Gateway.Connections;

/// <summary>The live TCP sessions of this gateway.</summary>
internal sealed class ClientRegistry : IClientRegistry
{
    private readonly ConcurrentDictionary<ClientSession, byte> _sessions = new();

    public int Count => _sessions.Count;

    public void Add(ClientSession session) => _sessions.TryAdd(session, 0);

    public void Remove(ClientSession session) => _sessions.TryRemove(session, out _);

    public IReadOnlyList<ClientSnapshot> Snapshot()
    {
        var list = new List<ClientSnapshot>(_sessions.Count);
        foreach (var session in _sessions.Keys) list.Add(session.Snapshot());
        return list;
    }
}
