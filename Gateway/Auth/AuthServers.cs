using System.Net;
using Microsoft.Extensions.Options;
using OrleansNsq.Admin.Configuration;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Auth;

/// <summary>
/// The auth servers of --auth-http-address (nsqd's auth.QueryAnyAuthd): each is asked in turn from a random start until
/// one answers; <c>GET http://addr/auth?remote_ip=&amp;tls=&amp;secret=&amp;common_name=</c>, or the query appended to
/// a full URL. Timeouts are --http-client-connect-timeout and --http-client-request-timeout, as in nsqd.
/// </summary>
public sealed class AuthServers : IDisposable
{
    private readonly string[] _addresses;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public AuthServers(IOptions<NsqdOptions> nsqd, IOptions<AdminOptions> http, TimeProvider time)
    {
        _addresses = [.. nsqd.Value.AuthHttpAddresses.Where(a => a.Length > 0)];
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = http.Value.HttpClientConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = http.Value.HttpClientRequestTimeout,
        };
    }

    /// <summary>Auth is on: IDENTIFY says auth_required, and SUB and the publishes need AUTH first.</summary>
    public bool Enabled => _addresses.Length > 0;

    public async Task<AuthState> QueryAsync(string remoteIp, bool tls, string commonName, string secret, CancellationToken cancellationToken = default)
    {
        var query = $"remote_ip={Uri.EscapeDataString(remoteIp)}&tls={(tls ? "true" : "false")}" +
                    $"&secret={Uri.EscapeDataString(secret)}&common_name={Uri.EscapeDataString(commonName)}";
        var errors = new List<string>();
        var start = Random.Shared.Next(_addresses.Length);
        for (var i = 0; i < _addresses.Length; i++)
        {
            var address = _addresses[(start + i) % _addresses.Length];
            var endpoint = address.Contains("://", StringComparison.Ordinal) ? $"{address}?{query}" : $"http://{address}/auth?{query}";
            try
            {
                using var response = await _http.GetAsync(endpoint, cancellationToken).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw new AuthServerException($"got response {(int)response.StatusCode} {response.ReasonPhrase} \"{System.Text.Encoding.UTF8.GetString(body)}\"");
                return AuthState.Parse(body, _time.GetUtcNow());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AuthServerException or System.Text.Json.JsonException)
            {
                errors.Add($"failed to auth against {address} - {e.Message}");
            }
        }
        throw new AuthServerException(string.Join("; ", errors));
    }

    public void Dispose() => _http.Dispose();
}
