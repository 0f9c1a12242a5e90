namespace OrleansNsq.Gateway.Producers;

/// <summary>
/// The nsqd's lookupd hands out as producers of every topic: this node alone for the single-node main job; every live
/// silo's gateway in a cluster (read from Orleans membership, see the Silo's cluster hosting).
/// </summary>
public interface IProducerDirectory
{
    /// <summary>The live producers, in a stable order (this node first when it is one).</summary>
    ValueTask<IReadOnlyList<LookupdProducer>> GetProducersAsync(CancellationToken cancellationToken = default);
}
