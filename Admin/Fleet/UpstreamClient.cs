using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// nsqadmin's http_api.Client: GET and POST to lookupd and nsqd with its Accept header, any status but 200 an error.
/// Errors read as Go's (<c>Get "http://…/nodes": dial tcp 127.0.0.1:4161: connect: connection refused</c>,
/// <c>got response 404 Not Found "{…}"</c>), since nsqadmin passes them on to its users in "message".
/// </summary>
public sealed class UpstreamClient(HttpClient http)
{
    public async Task<T> GetV1Async<T>(string endpoint, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, endpoint, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new UpstreamException("unexpected end of JSON input");
        }
        catch (JsonException ex)
        {
            throw new UpstreamException(ex.Message);
        }
    }

    public Task PostV1Async(string endpoint, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, endpoint, cancellationToken);

    private async Task<byte[]> SendAsync(HttpMethod method, string endpoint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, endpoint);
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.nsq; version=1.0");
        var verb = method == HttpMethod.Get ? "Get" : "Post";
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new UpstreamException($"got response {(int)response.StatusCode} {response.ReasonPhrase} {GoQuote(body)}", (int)response.StatusCode);
            return body;
        }
        catch (HttpRequestException ex)
        {
            throw new UpstreamException($"{verb} \"{endpoint}\": {Describe(ex, request.RequestUri)}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException($"{verb} \"{endpoint}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (UriFormatException ex)
        {
            throw new UpstreamException($"parse \"{endpoint}\": {ex.Message}");
        }
    }

    private static string Describe(HttpRequestException ex, Uri? uri)
    {
        var address = uri is null ? "" : $"{uri.Host}:{uri.Port}";
        return ex.InnerException switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"dial tcp {address}: connect: connection refused",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => $"dial tcp: lookup {uri?.Host}: no such host",
            SocketException socket => $"dial tcp {address}: {socket.Message}",
            IOException io => $"read tcp {address}: {io.Message}",
            { } inner => inner.Message,
            null => ex.Message,
        };
    }

    /// <summary>Go's %q of a response body: a double-quoted string with \" \\ \n \t and \x.. escapes.</summary>
    internal static string GoQuote(byte[] body)
    {
        var text = new StringBuilder("\"");
        foreach (var rune in Encoding.UTF8.GetString(body).EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < 0x20 or 0x7f: text.Append("\\x").Append(rune.Value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: text.Append(rune.ToString()); break;
            }
        }
        return text.Append('"').ToString();
    }
}

/// <summary>One failed call to a lookupd or nsqd, with Go's wording; <see cref="Status"/> is the HTTP status it
/// answered, 0 when none.</summary>
public sealed class UpstreamException(string message, int status = 0) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// clusterinfo's fatal error: every lookupd or nsqd asked failed (<c>failed to query any nsqlookupd: …</c>). nsqadmin
/// answers it 502 <c>UPSTREAM_ERROR: …</c>.
/// </summary>
public sealed class FleetUnreachableException(string message) : Exception(message);
