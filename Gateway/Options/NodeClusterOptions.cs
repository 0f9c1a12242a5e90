using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansNsq.Gateway.Options;

/// <summary>--cluster and --cluster-connection (docs/CLUSTER.md): where the silo membership table is kept. Without
/// them the Silo is the embedded single node (localhost clustering) and the Gateway process connects to it on localhost.
/// The one rule for "is this a cluster" that the Silo, its Kubernetes hosting and the Gateway process share.</summary>
public sealed class NodeClusterOptions
{
    public const string SectionName = "Cluster";
    /// <summary>The membership table on PostgreSQL (Microsoft.Orleans.Clustering.AdoNet, invariant Npgsql).</summary>
    public const string Postgres = "postgres";
    /// <summary>The ADO.NET invariant the Orleans providers know PostgreSQL by.</summary>
    public const string NpgsqlInvariant = "Npgsql";
    /// <summary>--cluster-id and --service-id when not given.</summary>
    public const string DefaultId = "orleans-nsq";

    /// <summary>Empty or <c>none</c>: a single node. <see cref="Postgres"/>: one silo of a cluster.</summary>
    public string Provider { get; set; } = "";

    /// <summary>With <see cref="Postgres"/>: the Npgsql connection string of the membership table.</summary>
    [Orleans.Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>Empty, blank or <c>none</c> (what the manifests' documentation also accepts) is a single node.</summary>
    public static bool IsCluster(string? provider) =>
        !string.IsNullOrWhiteSpace(provider) && !string.Equals(provider, "none", StringComparison.OrdinalIgnoreCase);

    public static bool IsPostgres(string? provider) => string.Equals(provider, Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>Orleans' cluster and service ids from configuration (--cluster-id, --service-id).</summary>
    public static (string ClusterId, string ServiceId) OrleansIds(IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        return (orleans.GetValue("ClusterId", DefaultId)!, orleans.GetValue("ServiceId", DefaultId)!);
    }

    public static void AddValidation(OptionsBuilder<NodeClusterOptions> options) => options
        .Validate(o => !IsCluster(o.Provider) || IsPostgres(o.Provider),
            "Cluster:Provider (--cluster) must be postgres, or empty for a single node")
        .Validate(o => !IsCluster(o.Provider) || !string.IsNullOrWhiteSpace(o.ConnectionString),
            "Cluster:ConnectionString (--cluster-connection) is required with --cluster=postgres")
        .ValidateOnStart();
}
