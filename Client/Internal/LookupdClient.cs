using System.Net;
using System.Text.Json;

namespace OrleansNsq.Client.Internal;

/// <summary>GET <c>/lookup?topic=</c> on nsqlookupd, as go-nsq asks it; yields <c>broadcast_address:tcp_port</c> per producer.</summary>
internal sealed class LookupdClient(HttpClient http)
{
    public async Task<IReadOnlyList<string>> LookupAsync(string lookupdAddress, string topic, CancellationToken cancellationToken)
    {
        var baseUrl = lookupdAddress.Contains("://", StringComparison.Ordinal) ? lookupdAddress.TrimEnd('/') : $"http://{lookupdAddress}";
        var url = baseUrl.EndsWith("/lookup", StringComparison.Ordinal) ? baseUrl : baseUrl + "/lookup";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}?topic={Uri.EscapeDataString(topic)}");
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.nsq; version=1.0");
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return []; // TOPIC_NOT_FOUND: no nsqd has the topic yet
        }

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var bodyDisposal = body.ConfigureAwait(false);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        if (!root.TryGetProperty("producers", out var producers) && root.TryGetProperty("data", out var data))
        {
            data.TryGetProperty("producers", out producers); // the 0.x wrapper
        }

        if (producers.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var addresses = new List<string>();
        foreach (var producer in producers.EnumerateArray())
        {
            var host = producer.TryGetProperty("broadcast_address", out var b) ? b.GetString() : null;
            if (string.IsNullOrEmpty(host) && producer.TryGetProperty("hostname", out var h))
            {
                host = h.GetString();
            }

            if (!string.IsNullOrEmpty(host) && producer.TryGetProperty("tcp_port", out var port) && port.TryGetInt32(out var tcpPort))
            {
                addresses.Add(host.Contains(':') ? $"[{host}]:{tcpPort}" : $"{host}:{tcpPort}");
            }
        }

        return addresses;
    }
}
