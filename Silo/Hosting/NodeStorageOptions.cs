using Microsoft.Extensions.Options;

namespace OrleansNsq.Silo.Hosting;

/// <summary>--storage and --storage-connection: which store keeps topics, channels and messages (docs/STORAGE.md).</summary>
public sealed class NodeStorageOptions
{
    public const string SectionName = "Storage";
    /// <summary>The embedded store, one SQLite file under --data-path (default).</summary>
    public const string Sqlite = "sqlite";
    /// <summary>PostgreSQL, for clusters: the Orleans ADO.NET grain storage and the message log on one database.</summary>
    public const string Postgres = "postgres";

    /// <summary>Default <see cref="Sqlite"/>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>With <see cref="Postgres"/>: the Npgsql connection string. No default.</summary>
    [Orleans.Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>--apply-schema (<c>Storage:ApplySchema</c>, default true): whether a silo creates or updates the
    /// PostgreSQL schema at start, or only checks its version (the schema step ran before, with a privileged user).</summary>
    public static bool ApplySchema(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        configuration.GetValue($"{SectionName}:ApplySchema", true);

    public static bool IsSqlite(string? provider) =>
        string.IsNullOrEmpty(provider) || string.Equals(provider, Sqlite, StringComparison.OrdinalIgnoreCase);

    public static bool IsPostgres(string? provider) => string.Equals(provider, Postgres, StringComparison.OrdinalIgnoreCase);

    public static void AddValidation(OptionsBuilder<NodeStorageOptions> options) => options
        .Validate(o => IsSqlite(o.Provider) || IsPostgres(o.Provider),
            "Storage:Provider (--storage) must be sqlite or postgres")
        .Validate(o => !IsPostgres(o.Provider) || !string.IsNullOrWhiteSpace(o.ConnectionString),
            "Storage:ConnectionString (--storage-connection) is required with --storage=postgres")
        .ValidateOnStart();
}
