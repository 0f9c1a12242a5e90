using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Tools.Tests.Infrastructure;

/// <summary>One HTTP request as the endpoint saw it.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string Query, byte[] Body, string? ContentType, IReadOnlyDictionary<string, string> Headers)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A Kestrel server on 127.0.0.1, port 0, that answers every request with what <c>respond</c> returns (a status code,
/// after an optional await) and records each request. Tests wait on <see cref="WaitForCountAsync"/>, bounded.
/// </summary>
internal sealed class RecordingHttpEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Func<RecordedRequest, int, Task<int>> _respond;

    private RecordingHttpEndpoint(WebApplication app, Func<RecordedRequest, int, Task<int>> respond)
    {
        _app = app;
        _respond = respond;
    }

    /// <summary>Base address, <c>http://127.0.0.1:port</c>.</summary>
    public string Address { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests { get { lock (_requests) return _requests.ToArray(); } }

    /// <summary>Starts an endpoint; <paramref name="respond"/> gets the request and its 1-based number and returns the status.</summary>
    public static async Task<RecordingHttpEndpoint> StartAsync(Func<RecordedRequest, int, Task<int>>? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var endpoint = new RecordingHttpEndpoint(app, respond ?? ((_, _) => Task.FromResult(200)));
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        endpoint.Address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        return endpoint;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.QueryString.Value ?? "",
            body.ToArray(), context.Request.ContentType, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        int number;
        lock (_requests)
        {
            _requests.Add(request);
            number = _requests.Count;
        }
        context.Response.StatusCode = await _respond(request, number);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived.</summary>
    public Task WaitForCountAsync(int count, string phase, TimeSpan timeout, Func<string> context) =>
        BoundedWait.UntilAsync(phase, $"{count} requests at {Address}", timeout,
            () => Task.FromResult((Requests.Count >= count, $"{Requests.Count} requests")), context);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
