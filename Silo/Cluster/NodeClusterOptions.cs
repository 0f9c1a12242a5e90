using Microsoft.Extensions.Options;

namespace OrleansNsq.Silo.Cluster;

/// <summary>--cluster and --cluster-connection (docs/CLUSTER.md): where the silo membership table is kept. Without
/// them the Silo is the embedded single node (localhost clustering).</summary>
public sealed class NodeClusterOptions
{
    public const string SectionName = "Cluster";
    /// <summary>The membership table on PostgreSQL (Microsoft.Orleans.Clustering.AdoNet, invariant Npgsql).</summary>
    public const string Postgres = "postgres";

    /// <summary>Empty: a single node. <see cref="Postgres"/>: one silo of a cluster.</summary>
    public string Provider { get; set; } = "";

    /// <summary>With <see cref="Postgres"/>: the Npgsql connection string of the membership table.</summary>
    [Orleans.Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>Empty or <c>none</c> (what the manifests' documentation also accepts) is a single node.</summary>
    public static bool IsCluster(string? provider) =>
        !string.IsNullOrEmpty(provider) && !string.Equals(provider, "none", StringComparison.OrdinalIgnoreCase);

    public static void AddValidation(OptionsBuilder<NodeClusterOptions> options) => options
        .Validate(o => !IsCluster(o.Provider) || string.Equals(o.Provider, Postgres, StringComparison.OrdinalIgnoreCase),
            "Cluster:Provider (--cluster) must be postgres, or empty for a single node")
        .Validate(o => !IsCluster(o.Provider) || !string.IsNullOrWhiteSpace(o.ConnectionString),
            "Cluster:ConnectionString (--cluster-connection) is required with --cluster=postgres")
        .ValidateOnStart();
}
