using OrleansNsq.Lookupd;

namespace OrleansNsq.Gateway.Producers;

/// <summary>
/// lookupd's producers as the standalone Gateway process (an Orleans client) sees them: the active silos of the
/// membership table as a silo lists them (<see cref="IClusterProducersGrain"/>, which also reads the endpoints that
/// Kubernetes-hosted silos carry in their Orleans metadata rather than their names; <see cref="ProducerSiloName"/>).
/// Read at most once a second, so a burst of /lookup requests costs one call.
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
            // The grain method takes no token: the wait itself ends when the caller's deadline does.
            var names = await grains.GetGrain<IClusterProducersGrain>(0).GetProducersAsync().AsTask().WaitAsync(cancellationToken);
            var producers = names
                .Order(StringComparer.Ordinal)
                .Select(ProducerSiloName.Parse)
                .OfType<LookupdProducer>()
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
