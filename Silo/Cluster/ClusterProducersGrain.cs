using Orleans.Concurrency;
using OrleansNsq.Gateway.Producers;
using OrleansNsq.Lookupd;

namespace OrleansNsq.Silo.Cluster;

/// <summary>This silo's lookupd producers (membership, or this node alone) for a lookupd outside the silos.</summary>
[StatelessWorker(1)]
internal sealed class ClusterProducersGrain(IProducerDirectory producers) : Grain, IClusterProducersGrain
{
    public async ValueTask<string[]> GetProducersAsync()
    {
        var list = await producers.GetProducersAsync();
        var names = new string[list.Count];
        for (var i = 0; i < names.Length; i++) names[i] = ProducerSiloName.Format(list[i]);
        return names;
    }
}
