namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>Where the PostgreSQL store is: --storage=postgres --storage-connection="Host=…".</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>; <c>Search Path</c>
    /// picks the schema the tables are in). Required; no default.</summary>
    [Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>Create or update the schema at silo start (docs/STORAGE.md). Default true; false when an operator runs
    /// <c>Silo migrate</c> with a privileged user and the silos log in with one that cannot create tables.</summary>
    public bool ApplySchema { get; set; } = true;

    /// <summary>Most connections of the store's pool (<see cref="PostgresPool"/>), unless the connection string sets
    /// <c>Maximum Pool Size</c>. Default <see cref="PostgresPool.DefaultStoreMaxPoolSize"/>.</summary>
    public int MaxPoolSize { get; set; } = PostgresPool.DefaultStoreMaxPoolSize;

    /// <summary>The store's database also holds the cluster's membership table (the cluster's and the store's
    /// connection are the same): every commit of the message log then checks, in its own transaction, that this silo
    /// has not been declared dead (<see cref="MembershipFence"/>). Set by cluster mode; default false.</summary>
    public bool FenceWithMembership { get; set; }
}
