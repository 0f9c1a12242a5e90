using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>
/// One host as the Silo builds it: a WebApplication that runs an Orleans silo (localhost clustering on free ports)
/// and Kestrel with two listeners on 127.0.0.1:0, tagged nsqd and lookupd, branched with HttpRoleTag. Tests talk
/// to it over real HTTP and use unique topic names.
/// </summary>
public class HttpApiFixture : IAsyncLifetime
{
    public const string BroadcastAddress = "test-broadcast";
    public const string Hostname = "test-host";
    /// <summary>Small limits so the 413 rules are cheap to reach.</summary>
    public const int MaxMsgSize = 100;
    public const int MaxBodySize = 1000;

    private WebApplication? _app;
    private readonly string _dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-http-").FullName;
    private int _topicSequence;

    public HttpClient Nsqd { get; private set; } = null!;
    public HttpClient Lookupd { get; private set; } = null!;
    public FakeClientRegistry Clients { get; } = new();
    public NodeIdentity Node { get; } = new(BroadcastAddress, Hostname, tcpPort: 4150, httpPort: 0, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    /// <summary>A topic name no other test uses.</summary>
    public string NewTopic(string purpose) =>
        $"{purpose[..Math.Min(purpose.Length, 24)]}-{Interlocked.Increment(ref _topicSequence)}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Listen order = address order in IServerAddressesFeature.
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(Tag(HttpRole.Nsqd)));
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(Tag(HttpRole.Lookupd)));
        });
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort).AddNsqGrains().AddEmbeddedNsqStore(o => o.DataPath = _dataPath));
        builder.Services.Configure<NsqdOptions>(o =>
        {
            o.BroadcastAddress = BroadcastAddress;
            o.MaxMsgSize = MaxMsgSize;
            o.MaxBodySize = MaxBodySize;
        });
        builder.Services.AddSingleton<IClientRegistry>(Clients);
        builder.Services.AddSingleton(Node);
        builder.Services.AddNsqHttpApis();
        Configure(builder);

        _app = builder.Build();
        _app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Nsqd, b => b.UseNsqdApi());
        _app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Lookupd, b => b.UseLookupdApi());
        await _app.StartAsync();

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        Nsqd = new HttpClient { BaseAddress = new Uri(addresses[0]) };
        Lookupd = new HttpClient { BaseAddress = new Uri(addresses[1]) };
        Node.HttpPort = Nsqd.BaseAddress.Port;
    }

    public async Task DisposeAsync()
    {
        Nsqd?.Dispose();
        Lookupd?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        System.IO.Directory.Delete(_dataPath, recursive: true);
    }

    /// <summary>What a subclass adds to the host before it is built.</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    private static Func<ConnectionDelegate, ConnectionDelegate> Tag(HttpRole role) => next => connection =>
    {
        connection.Items[HttpRoleTag.ItemKey] = role;
        return next(connection);
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class HttpCollection : ICollectionFixture<HttpApiFixture>
{
    public const string Name = "Http";
}

/// <summary>The TCP gateway's client list, set by the test that needs clients.</summary>
public sealed class FakeClientRegistry : IClientRegistry
{
    private volatile ClientSnapshot[] _clients = [];

    public IReadOnlyList<ClientSnapshot> Snapshot() => _clients;

    public int Count => _clients.Length;

    public void Set(params ClientSnapshot[] clients) => _clients = clients;
}

/// <summary>Request and assertion helpers shared by the HTTP tests.</summary>
internal static class Http
{
    public static async Task<Reply> Send(HttpClient client, HttpMethod method, string pathAndQuery, HttpContent? body = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = body };
        using var response = await client.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers, response.Content.Headers);
    }

    public static Task<Reply> Get(this HttpClient client, string pathAndQuery) => Send(client, HttpMethod.Get, pathAndQuery);

    public static Task<Reply> Post(this HttpClient client, string pathAndQuery, string? body = null) =>
        Send(client, HttpMethod.Post, pathAndQuery, body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body)));

    public static Task<Reply> Post(this HttpClient client, string pathAndQuery, byte[] body, bool chunked = false) =>
        Send(client, HttpMethod.Post, pathAndQuery, chunked ? new ChunkedContent(body) : new ByteArrayContent(body));

    /// <summary>A request written byte for byte on a socket: HttpClient would re-escape a bad '%' in the query.</summary>
    public static async Task<(int Status, string Body)> Raw(HttpClient api, string method, string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.BaseAddress!.Host, api.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"{method} {target} HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.AsSpan(9, 3));
        return (status, response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    public static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>A body sent with Transfer-Encoding: chunked (no Content-Length).</summary>
    private sealed class ChunkedContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

internal sealed record Reply(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public int Code => (int)Status;

    public string? NsqContentType => Headers.TryGetValues("X-NSQ-Content-Type", out var v) ? string.Join(",", v) : null;

    public string? ContentType => ContentHeaders.ContentType?.ToString();

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>Status and body in one assertion, so a failure shows both.</summary>
    public void Is(int status, string body) => Assert.Equal((status, body), (Code, Body));
}
