using System.Net;
using System.Text;

namespace OrleansNsq.Tools.NsqToHttp;

/// <summary>
/// One HTTP request per message, as nsq_to_http's publishers make it: <c>--post</c> sends the body with
/// <c>--content-type</c>; <c>--get</c> puts the body, query-escaped, in place of the address's single <c>%s</c>. Both
/// carry the <c>--header</c> values. Success is what NSQ counts as success: a 2xx answer to a POST, exactly 200 to a GET.
/// </summary>
internal sealed class HttpDestination(HttpClient http, bool post, string contentType, IReadOnlyList<KeyValuePair<string, string>> headers)
{
    public const string UserAgent = "nsq_to_http/1.3.0 (OrleansNsq)";

    /// <summary>Sends <paramref name="body"/> to <paramref name="address"/>; null on success, else why not.</summary>
    public async Task<string?> SendAsync(string address, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = post
            ? new HttpRequestMessage(HttpMethod.Post, address) { Content = new ReadOnlyMemoryContent(body) }
            : new HttpRequestMessage(HttpMethod.Get, GetUrl(address, body.Span));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Content?.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var (key, value) in headers)
        {
            // a custom header replaces ours, as Go's Header.Set does; Content-* ones belong to the body
            request.Headers.Remove(key);
            if (!request.Headers.TryAddWithoutValidation(key, value) && request.Content is { } requestBody)
            {
                requestBody.Headers.Remove(key);
                requestBody.Headers.TryAddWithoutValidation(key, value);
            }
        }
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var status = (int)response.StatusCode;
            var ok = post ? status is >= 200 and < 300 : response.StatusCode == HttpStatusCode.OK;
            return ok ? null : $"got status code {status}";
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"timed out after {http.Timeout.TotalSeconds:0.###}s";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    /// <summary><c>fmt.Sprintf(addr, url.QueryEscape(body))</c>: the one <c>%s</c> becomes the escaped body.</summary>
    internal static string GetUrl(string address, ReadOnlySpan<byte> body)
    {
        var at = address.IndexOf("%s", StringComparison.Ordinal);
        return string.Concat(address.AsSpan(0, at), QueryEscape(body), address.AsSpan(at + 2));
    }

    /// <summary>Go's url.QueryEscape: letters, digits and <c>-_.~</c> stay, space becomes <c>+</c>, every other byte %XX.</summary>
    internal static string QueryEscape(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder(body.Length * 3);
        foreach (var b in body)
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                text.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                text.Append('+');
            }
            else
            {
                text.Append('%').Append(Convert.ToHexString([b]));
            }
        }
        return text.ToString();
    }

    /// <summary>NSQ's parseCustomHeaders: <c>key: value</c>, split at the first colon, both sides trimmed and non-empty.</summary>
    internal static List<KeyValuePair<string, string>>? ParseHeaders(IEnumerable<string> values)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) return null;
            var key = value[..colon].Trim();
            var text = value[(colon + 1)..].Trim();
            if (key.Length == 0 || text.Length == 0) return null;
            headers.RemoveAll(h => string.Equals(h.Key, key, StringComparison.OrdinalIgnoreCase));
            headers.Add(new(key, text));
        }
        return headers;
    }
}
