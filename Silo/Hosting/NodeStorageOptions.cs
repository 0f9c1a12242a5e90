using Microsoft.Extensions.Options;

namespace OrleansNsq.Silo.Hosting;

/// <summary>--storage: which store keeps topics, channels and (later) messages.</summary>
public sealed class NodeStorageOptions
{
    public const string SectionName = "Storage";
    /// <summary>The embedded store, one SQLite file under --data-path (default).</summary>
    public const string Sqlite = "sqlite";
    /// <summary>PostgreSQL for clusters (issue 7, not yet).</summary>
    public const string Postgres = "postgres";

    /// <summary>Default <see cref="Sqlite"/>.</summary>
    public string Provider { get; set; } = Sqlite;

    public static bool IsSqlite(string? provider) =>
        string.IsNullOrEmpty(provider) || string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase);

    public static void AddValidation(OptionsBuilder<NodeStorageOptions> options) => options
        .Validate(o => IsSqlite(o.Provider) || string.Equals(o.Provider, Postgres, StringComparison.OrdinalIgnoreCase),
            "Storage:Provider (--storage) must be sqlite or postgres")
        .Validate(o => !string.Equals(o.Provider, Postgres, StringComparison.OrdinalIgnoreCase),
            "--storage=postgres is not supported yet: use --storage=sqlite (the default)")
        .ValidateOnStart();
}
