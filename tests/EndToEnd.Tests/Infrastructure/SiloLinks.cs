namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The silo-to-silo network of a <see cref="SiloCluster"/> on one host, each silo behind a <see cref="SiloLinkProxy"/>:
/// a silo advertises its --silo-port (the proxy's) and listens on another (<c>Orleans:SiloListeningPort</c>), so every
/// connection to it passes the proxy. <see cref="Cut"/> partitions one silo from the others both ways;
/// <see cref="Heal"/> lets the same silo, restarted as a new process, reach them again. The clients' NSQ ports, HTTP and
/// PostgreSQL are not behind the proxies: a cut silo still serves its clients and reaches the database.
/// </summary>
public sealed class SiloLinks(SiloCluster cluster) : IAsyncDisposable
{
    private readonly List<SiloLinkProxy> _proxies = [];

    /// <summary>Starts a silo of <paramref name="cluster"/> behind a new proxy.</summary>
    public async Task<SiloProcess> AddSiloAsync()
    {
        var ports = FreePorts.Take(SiloProcess.PortCount + 1);
        var listening = ports[^1];
        // The silo connects to the others while it starts, before it is in the cluster's list: the owners looked for
        // are all the test's child processes.
        var proxy = SiloLinkProxy.Start(ports[SiloProcess.SiloPortIndex], listening, SocketOwners.ChildrenOfThisProcess);
        _proxies.Add(proxy);
        return await cluster.AddSiloAsync(new Dictionary<string, string> { ["Orleans__SiloListeningPort"] = $"{listening}" },
            ports[..SiloProcess.PortCount]);
    }

    /// <summary>Cuts the silo at <paramref name="index"/> from the others, both ways: its proxy holds every connection to
    /// it, and the other proxies hold every connection its current process opened to them.</summary>
    public void Cut(int index)
    {
        var pid = cluster.Silos[index].ProcessId;
        _proxies[index].CutTarget();
        for (var i = 0; i < _proxies.Count; i++)
            if (i != index) _proxies[i].CutClientsOf(pid);
    }

    /// <summary>Forwards to the silo at <paramref name="index"/> again; connections of its cut process stay held, so
    /// this is for the silo restarted as a new process.</summary>
    public void Heal(int index) => _proxies[index].HealTarget();

    public string Describe() => string.Join(Environment.NewLine, _proxies.Select((p, i) =>
        $"silo {i + 1} (process {(i < cluster.Silos.Count ? cluster.Silos[i].ProcessId : 0)}): {p.Describe()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies) await proxy.DisposeAsync();
    }
}
