using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansNsq.Gateway.Producers;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// lookupd's producers in a cluster: every active silo of Orleans membership, described by its silo name
/// (<see cref="ProducerSiloName"/>). The snapshot follows the membership table's change notifications, so a silo
/// declared dead leaves /lookup as soon as membership declares it, and a joining one appears once it is active.
/// This silo comes first, then the others by name, so answers are stable. Under Kubernetes hosting the silo name is
/// the pod name and the producer is read from the silo's Orleans metadata instead (<paramref name="metadata"/>,
/// fetched by Orleans from each silo that joins and dropped when it is declared dead); a silo whose metadata has
/// not arrived yet is listed once it has.
/// </summary>
internal sealed class MembershipProducers(IClusterMembershipService membership, ILocalSiloDetails local,
    ISiloMetadataCache? metadata = null) : IProducerDirectory
{
    public ValueTask<IReadOnlyList<LookupdProducer>> GetProducersAsync(CancellationToken cancellationToken = default)
    {
        var producers = new List<(bool Local, string Name, LookupdProducer Producer)>();
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Active || ProducerOf(member) is not { } producer) continue;
            producers.Add((member.SiloAddress.Equals(local.SiloAddress), member.Name, producer));
        }
        producers.Sort(static (a, b) => a.Local != b.Local ? (a.Local ? -1 : 1) : string.CompareOrdinal(a.Name, b.Name));
        return new(producers.ConvertAll(static p => p.Producer));
    }

    private LookupdProducer? ProducerOf(ClusterMember member) =>
        ProducerSiloName.Parse(member.Name)
        ?? (metadata?.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(ProducerSiloName.MetadataKey, out var described) == true
            ? ProducerSiloName.Parse(described)
            : null);
}
