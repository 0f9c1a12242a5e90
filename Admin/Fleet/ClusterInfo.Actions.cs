namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// nsqadmin's actions, each acting fleet-wide as clusterinfo does: the lookupds are told (create, delete,
/// tombstone) and every producer of the topic gets the nsqd call. The lookupds and producers are called one after
/// the other; each failure is collected and the rest still run. A failed producer lookup that reached no lookupd
/// at all ends the action (thrown).
/// </summary>
public sealed partial class ClusterInfo
{
    /// <summary>TombstoneNodeForTopic: tombstone the node for the topic in every lookupd, then delete the topic on
    /// the node itself (found through its /info).</summary>
    public async Task<IReadOnlyList<string>> TombstoneNodeForTopicAsync(string topic, string node, IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        errors.AddRange(await LookupdsPostAsync(lookupds, "topic/tombstone", $"topic={Escape(topic)}&node={Escape(node)}", cancellationToken));
        var producers = await GetNsqdProducersAsync([node], cancellationToken);
        errors.AddRange(producers.Errors);
        errors.AddRange(await ProducersPostAsync(producers.Value, "topic/delete", $"topic={Escape(topic)}", cancellationToken));
        return errors;
    }

    /// <summary>CreateTopicChannel: the topic (and channel) in every lookupd; a channel also on every producer of
    /// the topic.</summary>
    public async Task<IReadOnlyList<string>> CreateTopicChannelAsync(string topic, string channel, IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        errors.AddRange(await LookupdsPostAsync(lookupds, "topic/create", $"topic={Escape(topic)}", cancellationToken));
        if (channel.Length > 0)
        {
            var query = $"topic={Escape(topic)}&channel={Escape(channel)}";
            errors.AddRange(await LookupdsPostAsync(lookupds, "channel/create", query, cancellationToken));
            var producers = await GetLookupdTopicProducersAsync(topic, lookupds, cancellationToken);
            errors.AddRange(producers.Errors);
            errors.AddRange(await ProducersPostAsync(producers.Value, "channel/create", query, cancellationToken));
        }
        return errors;
    }

    /// <summary>DeleteTopic: the producers are found first, then the topic goes from every lookupd and producer.</summary>
    public async Task<IReadOnlyList<string>> DeleteTopicAsync(string topic, IReadOnlyList<string> lookupds, IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var producers = await GetTopicProducersAsync(topic, lookupds, nsqds, cancellationToken);
        var errors = new List<string>(producers.Errors);
        var query = $"topic={Escape(topic)}";
        errors.AddRange(await LookupdsPostAsync(lookupds, "topic/delete", query, cancellationToken));
        errors.AddRange(await ProducersPostAsync(producers.Value, "topic/delete", query, cancellationToken));
        return errors;
    }

    /// <summary>DeleteChannel: from every lookupd and every producer of the topic.</summary>
    public async Task<IReadOnlyList<string>> DeleteChannelAsync(string topic, string channel, IReadOnlyList<string> lookupds, IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var producers = await GetTopicProducersAsync(topic, lookupds, nsqds, cancellationToken);
        var errors = new List<string>(producers.Errors);
        var query = $"topic={Escape(topic)}&channel={Escape(channel)}";
        errors.AddRange(await LookupdsPostAsync(lookupds, "channel/delete", query, cancellationToken));
        errors.AddRange(await ProducersPostAsync(producers.Value, "channel/delete", query, cancellationToken));
        return errors;
    }

    /// <summary>Pause, unpause or empty (<paramref name="uri"/> is nsqd's <c>topic/pause</c>, <c>channel/empty</c>...)
    /// on every producer of the topic (clusterinfo's actionHelper).</summary>
    public async Task<IReadOnlyList<string>> ProducersActionAsync(string topic, string channel, string uri, IReadOnlyList<string> lookupds,
        IReadOnlyList<string> nsqds, CancellationToken cancellationToken)
    {
        var producers = await GetTopicProducersAsync(topic, lookupds, nsqds, cancellationToken);
        var errors = new List<string>(producers.Errors);
        var query = channel.Length > 0 ? $"topic={Escape(topic)}&channel={Escape(channel)}" : $"topic={Escape(topic)}";
        errors.AddRange(await ProducersPostAsync(producers.Value, uri, query, cancellationToken));
        return errors;
    }

    private async Task<List<string>> LookupdsPostAsync(IReadOnlyList<string> lookupds, string uri, string query, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (var address in lookupds) await PostAsync($"http://{address}/{uri}?{query}", errors, cancellationToken);
        return errors;
    }

    private async Task<List<string>> ProducersPostAsync(IReadOnlyList<Producer> producers, string uri, string query, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (var producer in producers) await PostAsync($"http://{producer.HttpAddress()}/{uri}?{query}", errors, cancellationToken);
        return errors;
    }

    private async Task PostAsync(string endpoint, List<string> errors, CancellationToken cancellationToken)
    {
        try
        {
            await client.PostV1Async(endpoint, cancellationToken);
        }
        catch (UpstreamException ex)
        {
            errors.Add(ex.Message);
        }
    }
}
