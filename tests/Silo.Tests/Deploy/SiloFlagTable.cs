using OrleansNsq.Gateway.Flags;

namespace OrleansNsq.Silo.Tests.Deploy;

/// <summary>
/// NsqFlags' table, plus the cluster mode's flags that are fixed but not in it yet (they land with the cluster mode,
/// built in parallel). Once NsqFlags has one, NsqFlags' entry is used, and
/// <see cref="KubernetesManifestTests.Pending_cluster_flags_agree_with_NsqFlags_where_it_has_them"/> checks both agree;
/// then the entry here can go.
/// </summary>
public static class SiloFlagTable
{
    public static readonly IReadOnlyList<Flag> PendingClusterFlags =
    [
        new("cluster", "Cluster:Provider", FlagKind.Text, "none", "cluster mode: postgres (membership in PostgreSQL)"),
        new("cluster-connection", "Cluster:ConnectionString", FlagKind.Text, "", "Npgsql connection string of the cluster's PostgreSQL"),
        new("lookupd-tcp-listen-address", "Lookupd:TcpAddress", FlagKind.Text, "0.0.0.0:4160", "nsqlookupd TCP listener"),
    ];

    public static Flag? Find(string name) =>
        NsqFlags.Find(name) ?? PendingClusterFlags.FirstOrDefault(f => f.Name == name);

    public static IEnumerable<Flag> All =>
        NsqFlags.All.Concat(PendingClusterFlags.Where(p => NsqFlags.Find(p.Name) is null));

    /// <summary>The port of a flag's value: "0.0.0.0:4150" → 4150, "11111" → 11111.</summary>
    public static int Port(string value) => int.Parse(value[(value.LastIndexOf(':') + 1)..]);
}
