using Orleans.Runtime;

namespace OrleansNsq.Gateway.Producers;

/// <summary>
/// lookupd's producers as the standalone Gateway process (an Orleans client) sees them: the active silos of the
/// membership table, read through the management grain and described by their silo names
/// (<see cref="ProducerSiloName"/>). Read at most once a second, so a burst of /lookup requests costs one call.
/// </summary>
public sealed class ManagementProducers(IGrainFactory grains, TimeProvider time) : IProducerDirectory
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (IReadOnlyList<LookupdProducer> Producers, DateTimeOffset ReadAt)? _last;

    public async ValueTask<IReadOnlyList<LookupdProducer>> GetProducersAsync(CancellationToken cancellationToken = default)
    {
        if (_last is { } fresh && time.GetUtcNow() - fresh.ReadAt < MaxAge) return fresh.Producers;
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } again && time.GetUtcNow() - again.ReadAt < MaxAge) return again.Producers;
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
            var producers = hosts
                .Where(h => h.Status == SiloStatus.Active)
                .Select(h => (h.SiloName, Producer: ProducerSiloName.Parse(h.SiloName)))
                .Where(p => p.Producer is not null)
                .OrderBy(p => p.SiloName, StringComparer.Ordinal)
                .Select(p => p.Producer!)
                .ToArray();
            _last = (producers, time.GetUtcNow());
            return producers;
        }
        finally
        {
            _refresh.Release();
        }
    }
}
