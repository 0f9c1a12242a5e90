using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.Admin.Tests.Infrastructure;

/// <summary>One answer of the admin: status, content type and body (parsed when it is JSON).</summary>
public sealed record AdminAnswer(HttpStatusCode Status, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string Message => Json.GetProperty("message").GetString()!;

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>nsqadmin's HTTP API at one address, called as a script would call it.</summary>
public sealed class AdminHttp(string address) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Address { get; } = address;

    public Task<AdminAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<AdminAnswer> PostAsync(string path, string? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<AdminAnswer> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body);

    public Task<AdminAnswer> DeleteAsync(string path, string? body = null) => SendAsync(HttpMethod.Delete, path, body);

    /// <summary>GET that must answer 200; returns the JSON.</summary>
    public async Task<JsonElement> GetOkAsync(string path)
    {
        var answer = await GetAsync(path);
        Assert.True(answer.Status == HttpStatusCode.OK, $"GET {path}: {answer}");
        return answer.Json;
    }

    public async Task<AdminAnswer> SendAsync(HttpMethod method, string path, string? body, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, $"http://{Address}{path}");
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request);
        return new AdminAnswer(response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _http.Dispose();
}
