using OrleansNsq.Gateway.Producers;
using OrleansNsq.Lookupd;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// How lookupd's answers stay within --publish-timeout when the cluster does not answer (this silo cut off from the
/// others, the directory's host frozen). Every handler's calls share one deadline (<see cref="ClusterCalls"/>).
/// Reads answer from this gateway's last copy of what did not answer, or leave it out when there is none, and mark
/// the answer with <see cref="ResponseEnvelope.StaleHeader"/>; the bodies keep nsqlookupd's shapes. Writes cannot be
/// answered from a copy: they answer 503 CLUSTER_UNAVAILABLE.
/// </summary>
internal sealed partial class LookupdApi
{
    private readonly CachedClusterRead<TopicDirectoryEntry[]> _directory;
    private readonly CachedClusterRead<ExternalProducerSnapshot> _external;
    /// <summary>Local in a silo (membership's snapshot); a grain call in the standalone Gateway.</summary>
    private readonly CachedClusterRead<IReadOnlyList<LookupdProducer>> _producerList;
    private readonly CachedClusterRead<MembershipEntry[]> _members;
    private readonly CachedClusterRead<Dictionary<SiloAddress, HostedNames>> _hosted;
    private readonly UnansweredEpisode _writes;

    private ClusterCalls NewCalls() => new(_options.Value.PublishTimeout, _time);

    /// <summary>A read handler: its answer is marked stale when part of it is a copy.</summary>
    private ApiHandler Read(Func<ApiRequest, ClusterCalls, ValueTask<ApiResult>> handler) => async request =>
    {
        using var cluster = NewCalls();
        return cluster.Mark(await handler(request, cluster));
    };

    /// <summary>A write handler: 503 CLUSTER_UNAVAILABLE when a call is not answered in time, or its silo cannot be
    /// reached. What the write did before that stays done; lookupd's writes can be repeated.</summary>
    private ApiHandler Write(Func<ApiRequest, ClusterCalls, ValueTask<ApiResult>> handler) => async request =>
    {
        using var cluster = NewCalls();
        try
        {
            var result = await handler(request, cluster);
            if (cluster.AnyAnswered) _writes.Answered();
            return result;
        }
        catch (Exception exception) when (ClusterCalls.IsUnanswered(exception))
        {
            _writes.Unanswered(exception, cluster.Bound);
            return ApiError.ClusterUnavailable;
        }
    };

    private ValueTask<TopicDirectoryEntry[]> EntriesAsync(ClusterCalls cluster) =>
        _directory.ReadAsync(cluster, ct => _grains.TopicDirectory().GetEntriesAsync(ct));

    private ValueTask<ExternalProducerSnapshot> ExternalAsync(ClusterCalls cluster) =>
        _external.ReadAsync(cluster, ct => _grains.ExternalProducers().GetSnapshotAsync(ct));

    private ValueTask<IReadOnlyList<LookupdProducer>> ProducersAsync(ClusterCalls cluster) =>
        _producerList.ReadAsync(cluster, _producers.GetProducersAsync);
}
