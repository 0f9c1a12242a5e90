using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>
/// The silo's one PostgreSQL data source (a connection pool), shared by the Orleans ADO.NET grain storage and the
/// <see cref="PostgresLogStore"/>. Every connection runs with <c>synchronous_commit=on</c>, whatever the server's
/// default: a commit is on the server's disk before it returns. At the silo's RuntimeStorageServices stage, before
/// the grain storage reads its queries (ApplicationServices), it connects once and applies
/// <see cref="PostgresSchema"/>; a server that cannot be reached or refuses the login stops the start with a
/// <see cref="PostgresStoreException"/> naming the server and the cause.
/// </summary>
public sealed partial class PostgresDatabase : ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable, IDisposable
{
    private readonly PostgresStoreOptions _options;
    private readonly ILogger<PostgresDatabase> _logger;

    public PostgresDatabase(PostgresStoreOptions options, ILogger<PostgresDatabase> logger)
    {
        _options = options;
        _logger = logger;
        DataSource = NpgsqlDataSource.Create(DurableConnectionString(PostgresPool.WithMaxPoolSize(options.ConnectionString, options.MaxPoolSize)));
        Where = PostgresFailure.Where(options.ConnectionString);
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>"postgres store host:port/database", for messages.</summary>
    public string Where { get; }

    /// <summary>The connection string with <c>-c synchronous_commit=on</c> added to its startup options.</summary>
    public static string DurableConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options)
            ? "-c synchronous_commit=on"
            : builder.Options + " -c synchronous_commit=on";
        return builder.ConnectionString;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresDatabase), ServiceLifecycleStage.RuntimeStorageServices, StartAsync, _ => Task.CompletedTask);

    /// <summary>Connects and, unless <see cref="PostgresStoreOptions.ApplySchema"/> is off, applies the schema; else
    /// checks the schema is there and not newer than this build.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.ApplySchema)
        {
            var before = await PostgresSchema.ApplyAsync(DataSource, cancellationToken).ConfigureAwait(false);
            LogSchemaApplied(_logger, Where, before, PostgresSchema.Version);
            return;
        }
        int version;
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            version = await PostgresSchema.ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgresFailure.IsStoreFailure(ex))
        {
            throw PostgresFailure.Wrap(DataSource, ex);
        }
        if (version != PostgresSchema.Version)
            throw new PostgresStoreException(
                $"{Where} has schema version {version}, this program needs {PostgresSchema.Version}: run `OrleansNsq.Silo migrate --storage=postgres --storage-connection=…`");
        LogSchemaChecked(_logger, Where, version);
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>Closes the pool synchronously too: a container disposing the silo's services may not await.</summary>
    public void Dispose() => DataSource.Dispose();

    [LoggerMessage(3401, LogLevel.Information, "{Where}: schema version {Version} applied (was {Before})")]
    private static partial void LogSchemaApplied(ILogger logger, string where, int before, int version);

    [LoggerMessage(3402, LogLevel.Information, "{Where}: schema version {Version}")]
    private static partial void LogSchemaChecked(ILogger logger, string where, int version);
}
