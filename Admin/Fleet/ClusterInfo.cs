using System.Text.Json.Serialization.Metadata;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// nsqadmin's clusterinfo.ClusterInfo: the fleet read over HTTP. Each Get* asks every given lookupd or nsqd at
/// once, merges what answered, and reports the others as partial errors; when none answered it throws
/// <see cref="FleetUnreachableException"/>. Answers are merged in the order of the addresses given, so they are
/// stable (nsqadmin takes them as they arrive).
/// </summary>
public sealed partial class ClusterInfo(UpstreamClient client)
{
    private static FleetJsonContext Json => FleetJsonContext.Default;

    /// <summary>GET on every address at once; (address, answer or error) in address order.</summary>
    private async Task<(string Address, T? Answer, string? Error)[]> QueryAllAsync<T>(IReadOnlyList<string> addresses,
        Func<string, string> endpoint, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        var calls = new Task<(string, T?, string?)>[addresses.Count];
        for (var i = 0; i < addresses.Count; i++)
        {
            var address = addresses[i];
            calls[i] = QueryAsync(address, endpoint(address), type, cancellationToken);
        }
        return await Task.WhenAll(calls);
    }

    private async Task<(string, T?, string?)> QueryAsync<T>(string address, string endpoint, JsonTypeInfo<T> type,
        CancellationToken cancellationToken) where T : class
    {
        try
        {
            return (address, await client.GetV1Async(endpoint, type, cancellationToken), null);
        }
        catch (UpstreamException ex)
        {
            return (address, null, ex.Message);
        }
    }

    /// <summary>The errors of a query; throws when every address failed (<c>failed to query any {what}</c>).</summary>
    private static List<string> ErrorsOf<T>((string Address, T? Answer, string? Error)[] answers, string what)
    {
        var errors = new List<string>();
        foreach (var answer in answers)
            if (answer.Error is not null) errors.Add(answer.Error);
        if (errors.Count == answers.Length) throw new FleetUnreachableException($"failed to query any {what}: {string.Join('\n', errors)}");
        return errors;
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);

    /// <summary>GetLookupdTopics: the union of every lookupd's /topics, sorted.</summary>
    public async Task<FleetResult<List<string>?>> GetLookupdTopicsAsync(IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var answers = await QueryAllAsync(lookupds, a => $"http://{a}/topics", Json.LookupdTopics, cancellationToken);
        var errors = ErrorsOf(answers, "nsqlookupd");
        var topics = Union(answers.SelectMany(a => a.Answer?.Topics ?? []));
        return new(topics, errors);
    }

    /// <summary>GetLookupdTopicChannels: the union of every lookupd's /channels?topic=, sorted.</summary>
    public async Task<FleetResult<List<string>?>> GetLookupdTopicChannelsAsync(string topic, IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var answers = await QueryAllAsync(lookupds, a => $"http://{a}/channels?topic={Escape(topic)}", Json.LookupdChannels, cancellationToken);
        var errors = ErrorsOf(answers, "nsqlookupd");
        return new(Union(answers.SelectMany(a => a.Answer?.Channels ?? [])), errors);
    }

    /// <summary>
    /// GetLookupdProducers: every node of every lookupd's /nodes, one per TCP address, with the lookupds that list it
    /// in <c>remote_addresses</c> and <c>out_of_date</c> set below the newest version; ordered by hostname.
    /// </summary>
    public async Task<FleetResult<List<Producer>>> GetLookupdProducersAsync(IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var answers = await QueryAllAsync(lookupds, a => $"http://{a}/nodes", Json.LookupdProducers, cancellationToken);
        var errors = ErrorsOf(answers, "nsqlookupd");
        var producers = new List<Producer>();
        var byAddress = new Dictionary<string, Producer>(StringComparer.Ordinal);
        var maxVersion = SemanticVersion.Zero;
        foreach (var (address, answer, _) in answers)
        {
            foreach (var peer in answer?.Producers ?? [])
            {
                var producer = peer.ToProducer();
                if (!byAddress.TryGetValue(producer.TcpAddress(), out var known))
                {
                    byAddress[producer.TcpAddress()] = known = producer;
                    producers.Add(producer);
                    if (maxVersion.LessThan(producer.VersionObj)) maxVersion = producer.VersionObj;
                    producer.Topics?.Sort(static (a, b) => string.CompareOrdinal(a.Topic, b.Topic));
                }
                (known.RemoteAddresses ??= []).Add($"{address}/{producer.Address()}");
            }
        }
        foreach (var producer in producers)
            if (producer.VersionObj.LessThan(maxVersion)) producer.OutOfDate = true;
        FleetOrder.ByHostname(producers, static p => p.Hostname);
        return new(producers, errors);
    }

    /// <summary>GetLookupdTopicProducers: the union of every lookupd's /lookup?topic= producers, by HTTP address.</summary>
    public async Task<FleetResult<List<Producer>>> GetLookupdTopicProducersAsync(string topic, IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var answers = await QueryAllAsync(lookupds, a => $"http://{a}/lookup?topic={Escape(topic)}", Json.LookupdProducers, cancellationToken);
        var errors = ErrorsOf(answers, "nsqlookupd");
        var producers = new List<Producer>();
        foreach (var (_, answer, _) in answers)
        {
            foreach (var peer in answer?.Producers ?? [])
            {
                var producer = peer.ToProducer();
                if (!producers.Exists(p => p.HttpAddress() == producer.HttpAddress())) producers.Add(producer);
            }
        }
        return new(producers, errors);
    }

    /// <summary>GetProducers: from the lookupds when there are any, else from the nsqds.</summary>
    public Task<FleetResult<List<Producer>>> GetProducersAsync(IReadOnlyList<string> lookupds, IReadOnlyList<string> nsqds, CancellationToken cancellationToken) =>
        lookupds.Count != 0 ? GetLookupdProducersAsync(lookupds, cancellationToken) : GetNsqdProducersAsync(nsqds, cancellationToken);

    /// <summary>GetTopicProducers: from the lookupds when there are any, else from the nsqds.</summary>
    public Task<FleetResult<List<Producer>>> GetTopicProducersAsync(string topic, IReadOnlyList<string> lookupds, IReadOnlyList<string> nsqds, CancellationToken cancellationToken) =>
        lookupds.Count != 0 ? GetLookupdTopicProducersAsync(topic, lookupds, cancellationToken) : GetNsqdTopicProducersAsync(topic, nsqds, cancellationToken);

    /// <summary>stringy.Uniq then sort.Strings; null when there is nothing (a Go nil slice, JSON null).</summary>
    private static List<string>? Union(IEnumerable<string> values)
    {
        var list = values.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0) return null;
        list.Sort(StringComparer.Ordinal);
        return list;
    }
}
