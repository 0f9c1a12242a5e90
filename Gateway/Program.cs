using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Flags;
using OrleansNsq.Gateway.Hosting;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Producers;

namespace OrleansNsq.Gateway;

/// <summary>
/// The standalone gateway (docs/CLUSTER.md): the NSQ TCP and HTTP ports of a node, served by an Orleans client, so
/// connection handling scales apart from the silos. Same flags as the Silo; with --cluster=postgres it finds the silos
/// in the membership table, without it it connects to a single-node Silo on localhost (--gateway-port).
/// </summary>
public static partial class Program
{
    private const string Name = "OrleansNsq.Gateway";

    public static async Task<int> Main(string[] args)
    {
        InlineSocketCompletions.EnableUnlessSet(); // before any socket exists
        var commandLine = CommandLine.Parse(args);
        if (commandLine.Version)
        {
            Console.Out.WriteLine(NsqFlags.VersionText());
            return 0;
        }
        if (commandLine.Help)
        {
            Console.Out.Write(NsqFlags.HelpText(Name, gateway: true));
            return 0;
        }
        if (commandLine.Error is not null)
        {
            Console.Error.WriteLine(commandLine.Error);
            Console.Error.Write(NsqFlags.HelpText(Name, gateway: true));
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder(NodeWebApplication.Options());
        builder.Configuration.AddInMemoryCollection(commandLine.Values);
        var configuration = builder.Configuration;
        var cluster = configuration[$"{NodeClusterOptions.SectionName}:Provider"];
        var inCluster = NodeClusterOptions.IsCluster(cluster);
        if (inCluster && !NodeClusterOptions.IsPostgres(cluster))
        {
            Console.Error.WriteLine("Cluster:Provider (--cluster) must be postgres, or empty for a single-node Silo on localhost");
            return 2;
        }
        var clusterConnection = configuration[$"{NodeClusterOptions.SectionName}:ConnectionString"];
        if (inCluster && string.IsNullOrWhiteSpace(clusterConnection))
        {
            Console.Error.WriteLine("Cluster:ConnectionString (--cluster-connection) is required with --cluster=postgres");
            return 2;
        }

        var (clusterId, serviceId) = NodeClusterOptions.OrleansIds(configuration);
        builder.UseOrleansClient(client =>
        {
            if (inCluster)
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = NodeClusterOptions.NpgsqlInvariant;
                    o.ConnectionString = clusterConnection;
                });
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                });
            }
            else
            {
                client.UseLocalhostClustering(
                    gatewayPort: configuration.GetValue("Orleans:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT),
                    serviceId: serviceId,
                    clusterId: clusterId);
            }
        });
        builder.Services.AddSingleton<IProducerDirectory>(sp => new ManagementProducers(
            sp.GetRequiredService<IGrainFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddNsqGateway(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenNsq());

        var app = builder.Build();
        app.UseNsqHttpApis();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Services.PublishBoundPorts();
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            Ready(logger, GatewayEndpoints.PortOf(endpoints.Tcp), GatewayEndpoints.PortOf(endpoints.NsqdHttp),
                GatewayEndpoints.PortOf(endpoints.LookupdHttp), inCluster ? "the cluster's membership table" : "a Silo on localhost");
        });
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
            return 2;
        }
        catch (Exception ex)
        {
            while (ex.InnerException is not null) ex = ex.InnerException;
            Console.Error.WriteLine("OrleansNsq.Gateway failed: " + ex.Message);
            return 1;
        }
    }

    [LoggerMessage(6101, LogLevel.Information, "OrleansNsq gateway ready: TCP {TcpPort}, HTTP {HttpPort}, lookupd HTTP {LookupdPort}; silos from {Silos}")]
    private static partial void Ready(ILogger logger, int tcpPort, int httpPort, int lookupdPort, string silos);
}
