using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Hosting;
using OrleansNsq.Gateway.Http;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>
/// A node as the Silo hosts it, with every listener on 127.0.0.1:0: nsqd TCP and HTTP, lookupd HTTP and the lookupd
/// TCP port that nsqd nodes register with. Tests play nsqd with <see cref="LookupdClient"/> (unique broadcast
/// addresses and topic names) and read the result from the lookupd HTTP API.
/// </summary>
public class LookupdFixture : IAsyncLifetime
{
    public const string BroadcastAddress = "lookupd-test-node";

    private WebApplication? _app;
    private readonly string _dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-lookupd-").FullName;

    public int LookupdTcpPort { get; private set; }
    public int LookupdHttpPort { get; private set; }
    public HttpClient Lookupd { get; private set; } = null!;
    public HttpClient Nsqd { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;
    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>Configuration the subclass changes (e.g. Lookupd:InactiveProducerTimeout).</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public static string NewName(string purpose) => $"{purpose[..Math.Min(purpose.Length, 30)]}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var settings = new Dictionary<string, string?>
        {
            ["Admin:HttpAddress"] = "", // no nsqadmin: fixtures run side by side
            ["Nsqd:TcpAddress"] = "127.0.0.1:0",
            ["Nsqd:HttpAddress"] = "127.0.0.1:0",
            ["Nsqd:LookupdHttpAddress"] = "127.0.0.1:0",
            ["Nsqd:BroadcastAddress"] = BroadcastAddress,
            ["Lookupd:TcpAddress"] = "127.0.0.1:0",
        };
        Configure(settings);
        builder.Configuration.AddInMemoryCollection(settings);
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort).AddNsqGrains().AddEmbeddedNsqStore(o => o.DataPath = _dataPath));
        builder.Services.AddNsqGateway(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenNsq());
        _app = builder.Build();
        _app.UseNsqHttpApis();
        await _app.StartAsync();
        _app.Services.PublishBoundPorts();
        var endpoints = _app.Services.GetRequiredService<GatewayEndpoints>();
        LookupdTcpPort = GatewayEndpoints.PortOf(endpoints.LookupdTcp);
        LookupdHttpPort = GatewayEndpoints.PortOf(endpoints.LookupdHttp);
        Lookupd = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{LookupdHttpPort}") };
        Nsqd = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{GatewayEndpoints.PortOf(endpoints.NsqdHttp)}") };
    }

    public async Task DisposeAsync()
    {
        Lookupd?.Dispose();
        Nsqd?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        System.IO.Directory.Delete(_dataPath, recursive: true);
    }

    public Task<LookupdClient> ConnectAsync(bool sendMagic = true) => LookupdClient.ConnectAsync(LookupdTcpPort, sendMagic);

    /// <summary>A connection that sent the magic and IDENTIFY (answered) as an nsqd with this broadcast address.</summary>
    public async Task<LookupdClient> IdentifiedAsync(string broadcastAddress, int tcpPort = 4150, int httpPort = 4151)
    {
        var client = await ConnectAsync();
        await client.IdentifyAsync(LookupdClient.IdentifyJson(broadcastAddress, tcpPort, httpPort));
        var reply = await client.ReadResponseAsync();
        Assert.StartsWith("{", reply);
        return client;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class LookupdCollection : ICollectionFixture<LookupdFixture>
{
    public const string Name = "Lookupd";
}

/// <summary>The same node with --inactive-producer-timeout 0: every registered nsqd is inactive at once.</summary>
public sealed class InactiveLookupdFixture : LookupdFixture
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Lookupd:InactiveProducerTimeout"] = "00:00:00";
}
