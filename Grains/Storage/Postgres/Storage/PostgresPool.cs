using System.Data.Common;
using Npgsql;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>
/// The size of a silo's Npgsql connection pools. A silo opens two: the store's (grain state and message log,
/// <see cref="PostgresDatabase"/>) and the membership table's (the ADO.NET clustering provider). Npgsql's default of
/// 100 each would let three silos ask for 600 connections of a server whose <c>max_connections</c> is 100 by default;
/// docs/DEPLOY.md sizes them against it.
/// </summary>
public static class PostgresPool
{
    /// <summary>--storage-max-connections' default: the store's pool.</summary>
    public const int DefaultStoreMaxPoolSize = 20;

    /// <summary>--cluster-max-connections' default: membership needs one or two connections at a time.</summary>
    public const int DefaultMembershipMaxPoolSize = 4;

    /// <summary>The connection string with <c>Maximum Pool Size</c> = <paramref name="maxPoolSize"/>, unless it sets
    /// one itself (an operator's explicit keyword wins over the flag's default).</summary>
    public static string WithMaxPoolSize(string connectionString, int maxPoolSize)
    {
        if (SetsMaxPoolSize(connectionString)) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize }.ConnectionString;
    }

    /// <summary>Whether the connection string names the pool size (Npgsql's spellings: Maximum Pool Size, Max Pool
    /// Size, MaxPoolSize; keywords are case- and space-insensitive).</summary>
    public static bool SetsMaxPoolSize(string connectionString)
    {
        var keywords = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string keyword in keywords.Keys)
        {
            var plain = keyword.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
            if (plain is "maximumpoolsize" or "maxpoolsize") return true;
        }
        return false;
    }
}
