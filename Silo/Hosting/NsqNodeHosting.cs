using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Hosting;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Producers;
using OrleansNsq.Silo.Cluster;

namespace OrleansNsq.Silo.Hosting;

/// <summary>One node: the Orleans silo plus the gateway. Localhost clustering for the single-node main job; with
/// --cluster=postgres one silo of a cluster (docs/CLUSTER.md).</summary>
public static partial class NsqNodeHosting
{
    public static void AddNsqNode(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var orleans = configuration.GetSection("Orleans");
        var cluster = builder.Services.AddOptions<NodeClusterOptions>().BindConfiguration(NodeClusterOptions.SectionName);
        NodeClusterOptions.AddValidation(cluster);
        var clusterMode = NodeClusterOptions.IsCluster(configuration[$"{NodeClusterOptions.SectionName}:Provider"]);
        if (clusterMode) PrepareClusterNode(configuration);
        var storage = builder.Services.AddOptions<NodeStorageOptions>().BindConfiguration(NodeStorageOptions.SectionName);
        NodeStorageOptions.AddValidation(storage);
        // Grains move between silos: every silo must read the same store.
        storage.Validate(o => !clusterMode || NodeStorageOptions.IsPostgres(o.Provider),
            "--cluster=postgres needs --storage=postgres (every silo reads the same store), the default in cluster mode");
        var provider = configuration[$"{NodeStorageOptions.SectionName}:Provider"];
        builder.UseOrleans(silo =>
        {
            if (clusterMode)
                silo.UsePostgresCluster(configuration, configuration[$"{NodeClusterOptions.SectionName}:ConnectionString"] ?? "");
            else
            {
                var (clusterId, serviceId) = NodeClusterOptions.OrleansIds(configuration);
                silo.UseLocalhostClustering(
                    siloPort: PortOrFree(orleans.GetValue("SiloPort", 11111)),
                    gatewayPort: PortOrFree(orleans.GetValue("GatewayPort", 30000)),
                    serviceId: serviceId,
                    clusterId: clusterId);
            }
            // In a Kubernetes pod of a cluster: Orleans' Kubernetes hosting (pod name, IP, labels; docs/DEPLOY.md). The
            // silo is named after its pod, and its NSQ endpoints travel in its silo metadata.
            // Elsewhere the silo's name carries its gateway's NSQ endpoints: lookupd's producers, read from membership.
            if (!silo.UseKubernetesHostingWhenInPod(configuration))
                silo.Services.AddOptions<Orleans.Configuration.SiloOptions>().Configure<NodeIdentity>((o, node) =>
                    o.SiloName = ProducerSiloName.Format(LookupdProducer.Of(node)));
            silo.AddNsqGrains(); // binds the Nsqd section too: --msg-timeout, --max-msg-timeout
            // Any other --storage value fails NodeStorageOptions' validation at start, before the silo runs.
            if (NodeStorageOptions.IsSqlite(provider))
                silo.AddEmbeddedNsqStore(o =>
                {
                    o.DataPath = configuration["Nsqd:DataPath"] ?? "";
                    o.MaxDatabaseBytes = configuration.GetValue<long>($"{NodeStorageOptions.SectionName}:MaxDatabaseBytes");
                    // Written behind, a crash of the process loses no commit; fsyncs are spaced for power loss.
                    if (configuration.GetValue("Nsqd:MemQueueSize", 10_000L) > 0)
                        o.LogSyncInterval = Grains.Storage.Embedded.EmbeddedStoreOptions.WriteBehindSyncInterval;
                });
            else if (NodeStorageOptions.IsPostgres(provider))
                silo.AddPostgresNsqStore(o =>
                {
                    o.ConnectionString = configuration[$"{NodeStorageOptions.SectionName}:ConnectionString"] ?? "";
                    o.ApplySchema = NodeStorageOptions.ApplySchema(configuration);
                    o.MaxPoolSize = configuration.GetValue($"{NodeStorageOptions.SectionName}:MaxPoolSize", Grains.Storage.Postgres.PostgresPool.DefaultStoreMaxPoolSize);
                    // The membership table is on the store's database: a silo declared dead cannot write the log.
                    o.FenceWithMembership = clusterMode &&
                        configuration[$"{NodeClusterOptions.SectionName}:ConnectionString"] == o.ConnectionString;
                });
        });
        builder.Services.AddNsqGateway(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenNsq());
    }

    /// <summary>
    /// Cluster mode: the store defaults to PostgreSQL on the cluster's database (--storage-connection overrides it),
    /// and NSQ ports given as 0 are chosen now, since the silo name that carries them to lookupd (ProducerSiloName) is
    /// written to the membership table before Kestrel binds.
    /// </summary>
    private static void PrepareClusterNode(ConfigurationManager configuration)
    {
        var storage = NodeStorageOptions.SectionName;
        if (string.IsNullOrEmpty(configuration[$"{storage}:Provider"])) configuration[$"{storage}:Provider"] = NodeStorageOptions.Postgres;
        if (string.IsNullOrEmpty(configuration[$"{storage}:ConnectionString"]))
            configuration[$"{storage}:ConnectionString"] = configuration[$"{NodeClusterOptions.SectionName}:ConnectionString"];
        foreach (var key in new[] { "Nsqd:TcpAddress", "Nsqd:HttpAddress" })
        {
            var address = configuration[key];
            if (address is not null && address.EndsWith(":0", StringComparison.Ordinal))
                configuration[key] = address[..^1] + PortOrFree(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
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
        [LoggerMessage(6001, LogLevel.Information, "OrleansNsq ready: TCP {TcpPort}, HTTP {HttpPort}, lookupd HTTP {LookupdPort}, lookupd TCP {LookupdTcpPort}, broadcast address {Broadcast}")]
        public static partial void Ready(ILogger logger, int tcpPort, int httpPort, int lookupdPort, int lookupdTcpPort, string broadcast);
    }
}
