using System.Reflection;
using Npgsql;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>
/// Our PostgreSQL schema (docs/STORAGE.md "PostgreSQL"): the SQL files under <c>Storage/Postgres/Schema/</c>, embedded
/// in this assembly, run in name order in one transaction. Every statement is idempotent (<c>IF NOT EXISTS</c>,
/// <c>ON CONFLICT</c>), so applying at every silo start, from several silos at once (an advisory lock makes them take
/// turns), or by <c>Silo migrate</c> before is harmless. <c>nsq_schema</c> records each version applied; a database
/// that has a newer one than this build is refused rather than written in a layout this build does not know.
/// Tables go into the first schema of the connection's search path (<c>Search Path</c> in the connection string).
/// </summary>
public static class PostgresSchema
{
    /// <summary>The layout these files create. Raise it with every file added or changed.</summary>
    public const int Version = 2;

    /// <summary>Held while applying, so silos starting together do not race on CREATE TABLE: "NSQO".</summary>
    private const long AdvisoryLockKey = 0x4E53514F;

    private const string ResourcePrefix = "OrleansNsq.Grains.Storage.Postgres.Schema.";

    /// <summary>The schema files' names and texts, in the order they run.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies the schema; returns the version the database had before (0: none). Throws
    /// <see cref="PostgresStoreException"/> naming the server when it cannot.</summary>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS nsq_schema (
                    version    integer     NOT NULL PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken).ConfigureAwait(false);
            var before = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            if (before > Version)
                throw new PostgresStoreException(
                    $"{PostgresFailure.Where(dataSource)} has schema version {before}, newer than this program's {Version}");
            foreach (var (_, sql) in Scripts)
                await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"INSERT INTO nsq_schema (version) VALUES ({Version}) ON CONFLICT DO NOTHING",
                cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return before;
        }
        catch (Exception ex) when (PostgresFailure.IsStoreFailure(ex))
        {
            throw PostgresFailure.Wrap(dataSource, ex);
        }
    }

    /// <summary>The highest version recorded (0 when the schema was never applied).</summary>
    public static async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('nsq_schema') IS NOT NULL", connection);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true) return 0;
        command.CommandText = "SELECT coalesce(max(version), 0) FROM nsq_schema";
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static (string Name, string Sql)[] LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (names.Length == 0) throw new InvalidOperationException($"no schema scripts {ResourcePrefix}*.sql in {assembly.GetName().Name}");
        return names.Select(n => (n[ResourcePrefix.Length..], Read(assembly, n))).ToArray();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
