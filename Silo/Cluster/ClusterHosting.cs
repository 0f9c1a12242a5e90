using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Producers;
using OrleansNsq.Grains.Storage.Postgres;
using OrleansNsq.Silo.Hosting;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// Cluster mode of the Silo (docs/CLUSTER.md): membership in PostgreSQL through Microsoft.Orleans.Clustering.AdoNet,
/// silo-to-silo and client gateway endpoints from the flags, the NSQ endpoints carried in the silo name, and lookupd's
/// producers read from membership.
/// </summary>
public static class ClusterHosting
{
    public static void UsePostgresCluster(this ISiloBuilder silo, IConfiguration configuration, string connectionString)
    {
        var orleans = configuration.GetSection("Orleans");
        // The store applies the schema (membership tables included) before membership starts; only a membership
        // table on another database needs it applied there as well.
        // With --apply-schema=false the schema step ran before (docs/DEPLOY.md): the silo's login needs no CREATE.
        if (configuration["Storage:ConnectionString"] != connectionString && NodeStorageOptions.ApplySchema(configuration))
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new ClusterSchemaLifecycle(connectionString));
        var membershipPool = configuration.GetValue($"{NodeClusterOptions.SectionName}:MaxPoolSize", PostgresPool.DefaultMembershipMaxPoolSize);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = NodeClusterOptions.NpgsqlInvariant;
            o.ConnectionString = PostgresPool.WithMaxPoolSize(connectionString, membershipPool);
        });
        var (clusterId, serviceId) = NodeClusterOptions.OrleansIds(configuration);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
        var siloPort = orleans.GetValue("SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = orleans.GetValue("GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
            if (IPAddress.TryParse(orleans["AdvertisedIPAddress"], out var advertised)) o.AdvertisedIPAddress = advertised;
            // Listen on every interface: the advertised address may be a pod's or a NAT's. Behind a port forward the
            // silo listens on another port than the one the others are told (Orleans:SiloListeningPort).
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, orleans.GetValue("SiloListeningPort", siloPort));
            o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, gatewayPort);
        });
        // Probe and death-declaration timings (how fast a dead or cut-off silo leaves /lookup and exits), e.g.
        // Orleans:Membership:ProbeTimeout: this project's defaults (MembershipDefaults), then the configuration's.
        silo.Services.AddOptions<ClusterMembershipOptions>().Configure(MembershipDefaults.Apply).Bind(orleans.GetSection("Membership"))
            .PostConfigure(o => MembershipDefaults.ApplyMaxProbeTimeout(o, orleans["Membership:MaxProbeTimeout"] is not null));
        silo.Services.AddSingleton<IProducerDirectory, MembershipProducers>();
        silo.Services.AddSingleton<MembershipHealth>();
        silo.Services.AddSingleton<INodeHealth>(sp => sp.GetRequiredService<MembershipHealth>());
        silo.Services.AddHostedService(sp => sp.GetRequiredService<MembershipHealth>());
    }
}
