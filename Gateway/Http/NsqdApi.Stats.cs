using OrleansNsq.Gateway.Connections;
using OrleansNsq.Protocol;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

internal sealed partial class NsqdApi
{
    /// <summary>nsqd's health string; see <see cref="Ping"/>.</summary>
    private const string Health = "OK";

    /// <summary>
    /// GET /stats?format=&amp;topic=&amp;channel=&amp;include_clients=&amp;include_mem=: text unless format=json.
    /// Topics come from the directory, then one GetStats per topic, in parallel; clients from this gateway's TCP
    /// connections. Within --publish-timeout: a topic that does not answer by then is shown from this gateway's last
    /// copy (or left out), and the answer carries <see cref="ResponseEnvelope.StaleHeader"/>.
    /// </summary>
    private async ValueTask<ApiResult> Stats(ApiRequest request)
    {
        var query = request.Query;
        if (!query.IsValid) return ApiError.InvalidRequest;
        var topicFilter = query.GetOrEmpty("topic");
        var channelFilter = query.GetOrEmpty("channel");
        var includeClients = ApiArgs.Flag(query, "include_clients", otherwise: true);
        var includeMem = ApiArgs.Flag(query, "include_mem", otherwise: true);

        using var cluster = _topicStats.NewCalls();
        var topics = await CollectTopicsAsync(cluster, topicFilter, channelFilter);
        var view = new StatsView(
            Health,
            _node.StartTime,
            _time.GetUtcNow(),
            topics,
            includeClients ? _clients?.Snapshot() ?? [] : null,
            topicFilter,
            includeMem ? RuntimeMemory.Take() : null);

        return cluster.Mark(query.GetOrEmpty("format") == "json"
            ? ApiResult.Json(view, StatsJson.Write, sizeHint: 1024)
            : ApiResult.Text(StatsText.Render(view)));
    }

    private ValueTask<TopicStats[]?> CollectTopicsAsync(ClusterCalls cluster, string topicFilter, string channelFilter) =>
        // an invalid name cannot be a topic: no grain for it
        topicFilter.Length > 0 && !NsqNames.IsValid(topicFilter)
            ? ValueTask.FromResult<TopicStats[]?>(null)
            : _topicStats.ReadAsync(cluster, topicFilter, channelFilter);
}

/// <summary>Everything one /stats answer shows, gathered before either format is written.</summary>
/// <param name="Clients">This gateway's TCP clients; null when include_clients=false.</param>
/// <param name="TopicFilter">The <c>topic=</c> value ("" for none): it selects the producers' pub_counts entry.</param>
/// <param name="Memory">Null when include_mem=false.</param>
internal sealed record StatsView(
    string Health,
    DateTimeOffset StartTime,
    DateTimeOffset Now,
    TopicStats[]? Topics,
    IReadOnlyList<ClientSnapshot>? Clients,
    string TopicFilter,
    RuntimeMemory? Memory)
{
    /// <summary>The consumers of one channel on this gateway; null when clients are not included.</summary>
    public List<ClientSnapshot>? ConsumersOf(string topic, string channel)
    {
        if (Clients is null) return null;
        var consumers = new List<ClientSnapshot>();
        foreach (var client in Clients)
        {
            if (client.Topic == topic && client.Channel == channel) consumers.Add(client);
        }
        return consumers;
    }

    /// <summary>Clients that published at least once over TCP; null — never empty — when there are none, as nsqd.</summary>
    public List<ClientSnapshot>? Producers()
    {
        if (Clients is null) return null;
        List<ClientSnapshot>? producers = null;
        foreach (var client in Clients)
        {
            if (client.PubCounts.Count > 0) (producers ??= []).Add(client);
        }
        return producers;
    }

    /// <summary>
    /// nsqd 1.3.0 reports at most one pub_counts entry per client (it breaks out of its loop after the first): the
    /// entry for <c>topic=</c> when given, else the first. Null when there is none to show.
    /// </summary>
    public KeyValuePair<string, long>? PubCountOf(ClientSnapshot client)
    {
        foreach (var count in client.PubCounts)
        {
            if (TopicFilter.Length == 0 || count.Key == TopicFilter) return count;
        }
        return null;
    }
}
