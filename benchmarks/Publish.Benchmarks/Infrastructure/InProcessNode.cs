using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace OrleansNsq.Publish.Benchmarks.Infrastructure;

/// <summary>
/// One silo in this process, registered as the node registers it (<c>AddNsqGrains</c> + <c>AddEmbeddedNsqStore</c>) on
/// a data path of its own, with localhost clustering on free ports. <see cref="Grains"/> is the silo's own grain
/// factory, the one the co-hosted gateway calls through.
/// </summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessNode(IHost host, string dataPath)
    {
        _host = host;
        DataPath = dataPath;
    }

    /// <summary>The node's --data-path, a temp directory deleted on dispose.</summary>
    public string DataPath { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    /// <param name="memQueueSize">--mem-queue-size: 0 makes every publish wait for the log's commit.</param>
    public static async Task<InProcessNode> StartAsync(long memQueueSize)
    {
        var dataPath = Directory.CreateTempSubdirectory("orleansnsq-bench-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: FreePort(), gatewayPort: FreePort(),
                serviceId: "publish-bench", clusterId: "publish-bench")
            .AddNsqGrains(o => o.MemQueueSize = memQueueSize)
            .AddEmbeddedNsqStore(o => o.DataPath = dataPath));
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessNode(host, dataPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(DataPath, recursive: true);
    }

    // Other nodes may run on this machine: never the default 11111/30000.
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
