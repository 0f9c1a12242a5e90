using System.Net;
using System.Text.Json;

namespace OrleansNsq.Tools.Stat;

/// <summary>
/// Where nsq_stat reads from: the nsqd HTTP addresses given, or the producers lookupd lists for the topic
/// (<c>/lookup?topic=</c>: <c>broadcast_address:http_port</c>). Each poll asks every producer for
/// <c>/stats?format=json&amp;topic=&amp;channel=&amp;include_clients=false</c> and sums the channel.
/// </summary>
internal sealed class StatsSource(HttpClient http, IReadOnlyList<string> nsqdHttpAddresses, IReadOnlyList<string> lookupdHttpAddresses)
{
    /// <summary>The channel summed over all producers, or null when no producer has it.</summary>
    public async Task<ChannelTotals?> PollAsync(string topic, string channel, CancellationToken cancellationToken)
    {
        var producers = lookupdHttpAddresses.Count > 0 ? await LookupProducersAsync(topic, cancellationToken) : nsqdHttpAddresses;
        ChannelTotals? total = null;
        foreach (var producer in producers)
        {
            var url = $"http://{producer}/stats?format=json&topic={Uri.EscapeDataString(topic)}&channel={Uri.EscapeDataString(channel)}&include_clients=false";
            using var doc = JsonDocument.Parse(await GetAsync(url, cancellationToken));
            if (ChannelTotals.Find(doc.RootElement, topic, channel) is { } found) total = (total ?? ChannelTotals.Zero).Plus(found);
        }
        return total;
    }

    private async Task<IReadOnlyList<string>> LookupProducersAsync(string topic, CancellationToken cancellationToken)
    {
        var producers = new List<string>();
        var errors = new List<string>();
        foreach (var lookupd in lookupdHttpAddresses)
        {
            try
            {
                using var doc = JsonDocument.Parse(await GetAsync($"http://{lookupd}/lookup?topic={Uri.EscapeDataString(topic)}", cancellationToken));
                if (!doc.RootElement.TryGetProperty("producers", out var list) || list.ValueKind != JsonValueKind.Array) continue;
                foreach (var p in list.EnumerateArray())
                {
                    var address = $"{p.GetProperty("broadcast_address").GetString()}:{p.GetProperty("http_port").GetInt32()}";
                    if (!producers.Contains(address)) producers.Add(address);
                }
            }
            catch (HttpRequestException e)
            {
                errors.Add($"{lookupd}: {e.Message}");
            }
        }
        // As clusterinfo: an error only when no lookupd answered.
        if (errors.Count == lookupdHttpAddresses.Count) throw new HttpRequestException(string.Join("; ", errors));
        return producers;
    }

    private async Task<string> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }
}
