using Microsoft.Extensions.Configuration;
using Npgsql;
using OrleansNsq.Grains.Storage.Postgres;
using OrleansNsq.Gateway.Flags;

namespace OrleansNsq.Silo.Hosting;

/// <summary>
/// <c>OrleansNsq.Silo migrate --storage=postgres --storage-connection="Host=…"</c>: applies the PostgreSQL schema and
/// exits, so an operator can create the tables with a privileged user before the silos start (every silo also applies
/// it at start, unless told not to). Takes the same flags, --config file and environment (<c>Storage__ConnectionString</c>)
/// as a start. Exit codes: 0 applied, 1 the server could not be used, 2 bad arguments.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var commandLine = CommandLine.Parse(args);
        if (commandLine.Help)
        {
            Console.Out.WriteLine("Usage: OrleansNsq.Silo migrate --storage=postgres --storage-connection=\"Host=…;Username=…;Password=…;Database=…\"");
            Console.Out.WriteLine("Applies the PostgreSQL schema (docs/STORAGE.md) and exits.");
            return 0;
        }
        if (commandLine.Error is not null)
        {
            Console.Error.WriteLine("migrate: " + commandLine.Error);
            return 2;
        }
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(commandLine.Values)
            .Build();
        var provider = configuration[$"{NodeStorageOptions.SectionName}:Provider"];
        if (!NodeStorageOptions.IsPostgres(provider))
        {
            Console.Error.WriteLine("migrate: only --storage=postgres has a schema to apply (the embedded sqlite store creates its file at start)");
            return 2;
        }
        var options = new PostgresStoreOptions { ConnectionString = configuration[$"{NodeStorageOptions.SectionName}:ConnectionString"] ?? "" };
        var validation = new PostgresStoreOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            Console.Error.WriteLine("migrate: " + validation.FailureMessage);
            return 2;
        }
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(PostgresDatabase.DurableConnectionString(options.ConnectionString));
            var before = await PostgresSchema.ApplyAsync(dataSource);
            Console.Out.WriteLine($"{PostgresFailure.Where(options.ConnectionString)}: schema version {PostgresSchema.Version} applied (was {before})");
            return 0;
        }
        catch (PostgresStoreException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
