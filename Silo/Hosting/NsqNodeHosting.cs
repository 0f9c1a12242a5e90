using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Hosting;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Silo.Hosting;

/// <summary>One node: the Orleans silo (localhost clustering for the single-node main job) plus the gateway.</summary>
public static partial class NsqNodeHosting
{
    public static void AddNsqNode(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var orleans = configuration.GetSection("Orleans");
        var storage = builder.Services.AddOptions<NodeStorageOptions>().BindConfiguration(NodeStorageOptions.SectionName);
        NodeStorageOptions.AddValidation(storage);
        var provider = configuration[$"{NodeStorageOptions.SectionName}:Provider"];
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(
                siloPort: PortOrFree(orleans.GetValue("SiloPort", 11111)),
                gatewayPort: PortOrFree(orleans.GetValue("GatewayPort", 30000)),
                serviceId: orleans.GetValue("ServiceId", "orleans-nsq")!,
                clusterId: orleans.GetValue("ClusterId", "orleans-nsq")!);
            silo.AddNsqGrains(); // binds the Nsqd section too: --msg-timeout, --max-msg-timeout
            // Any other --storage value fails NodeStorageOptions' validation at start, before the silo runs.
            if (NodeStorageOptions.IsSqlite(provider))
                silo.AddEmbeddedNsqStore(o =>
                {
                    o.DataPath = configuration["Nsqd:DataPath"] ?? "";
                    o.MaxDatabaseBytes = configuration.GetValue<long>($"{NodeStorageOptions.SectionName}:MaxDatabaseBytes");
                });
            else if (NodeStorageOptions.IsPostgres(provider))
                silo.AddPostgresNsqStore(o => o.ConnectionString = configuration[$"{NodeStorageOptions.SectionName}:ConnectionString"] ?? "");
        });
        builder.Services.AddNsqGateway(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenNsq());
    }

    /// <summary>Orleans needs a concrete port; 0 (any free port, as every NSQ listen flag accepts) picks one here.</summary>
    private static int PortOrFree(int port)
    {
        if (port != 0) return port;
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static void UseNsqNode(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq");
        app.UseNsqHttpApis();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            app.Services.PublishBoundPorts();
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            var options = app.Services.GetRequiredService<IOptions<NsqdOptions>>().Value;
            NodeLog.Ready(logger, GatewayEndpoints.PortOf(endpoints.Tcp), GatewayEndpoints.PortOf(endpoints.NsqdHttp),
                GatewayEndpoints.PortOf(endpoints.LookupdHttp), GatewayEndpoints.PortOf(endpoints.LookupdTcp), options.BroadcastAddress);
        });
    }

    private static partial class NodeLog
    {
        [LoggerMessage(1, LogLevel.Information, "OrleansNsq ready: TCP {TcpPort}, HTTP {HttpPort}, lookupd HTTP {LookupdPort}, lookupd TCP {LookupdTcpPort}, broadcast address {Broadcast}")]
        public static partial void Ready(ILogger logger, int tcpPort, int httpPort, int lookupdPort, int lookupdTcpPort, string broadcast);
    }
}
