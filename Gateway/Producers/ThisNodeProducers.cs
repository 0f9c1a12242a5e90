using OrleansNsq.Gateway.Node;

namespace OrleansNsq.Gateway.Producers;

/// <summary>The single-node answer: this gateway is the only producer (ports read when asked, as Kestrel binds late).</summary>
public sealed class ThisNodeProducers(NodeIdentity node) : IProducerDirectory
{
    public ValueTask<IReadOnlyList<LookupdProducer>> GetProducersAsync(CancellationToken cancellationToken = default) =>
        new([LookupdProducer.Of(node)]);
}
