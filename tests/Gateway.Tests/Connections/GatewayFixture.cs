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

namespace OrleansNsq.Gateway.Tests.Connections;

/// <summary>
/// The TCP gateway as the Silo hosts it: a WebApplication with an in-process Orleans silo and the NSQ listener on
/// 127.0.0.1:0 (HTTP listeners off). Tests connect with <see cref="V2Client"/> and use unique topic names.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    /// <summary>Small limits so the limit rules are cheap to reach.</summary>
    public const int MaxRdyCount = 50;

    private WebApplication? _app;
    private readonly string _dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-gateway-").FullName;

    public int TcpPort { get; private set; }

    public IGrainFactory Grains => _app!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>A name no other test uses (at most 63 characters).</summary>
    public static string NewName(string purpose) => $"{purpose[..Math.Min(purpose.Length, 30)]}-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:HttpAddress"] = "", // no nsqadmin: fixtures run side by side
            ["Nsqd:TcpAddress"] = "127.0.0.1:0",
            ["Nsqd:HttpAddress"] = "",
            ["Nsqd:LookupdHttpAddress"] = "",
            ["Lookupd:TcpAddress"] = "",
            ["Nsqd:MaxRdyCount"] = MaxRdyCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort).AddNsqGrains().AddEmbeddedNsqStore(o => o.DataPath = _dataPath));
        builder.Services.AddNsqGateway(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenNsq());
        _app = builder.Build();
        await _app.StartAsync();
        TcpPort = GatewayEndpoints.PortOf(_app.Services.GetRequiredService<GatewayEndpoints>().Tcp);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        System.IO.Directory.Delete(_dataPath, recursive: true);
    }

    public Task<V2Client> ConnectAsync() => V2Client.ConnectAsync(TcpPort);

    /// <summary>PUBs each body on its own producer connection, waiting for each OK.</summary>
    public async Task PublishAsync(string topic, params string[] bodies)
    {
        await using var producer = await ConnectAsync();
        foreach (var body in bodies)
        {
            await producer.PubAsync(topic, body);
            await producer.ExpectResponseAsync("OK");
        }
    }

    /// <summary>A connection that has subscribed (state 3) with the given RDY.</summary>
    public async Task<V2Client> ConsumerAsync(string topic, string channel, int rdy, string identify = "{}")
    {
        var client = await ConnectAsync();
        await client.IdentifyAsync(identify);
        await client.ExpectResponseAsync("OK");
        await client.SubAsync(topic, channel);
        await client.ExpectResponseAsync("OK");
        if (rdy > 0) await client.RdyAsync(rdy);
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
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway";
}
