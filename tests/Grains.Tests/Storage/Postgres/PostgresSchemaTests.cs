using OrleansNsq.Tests.Postgres;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansNsq.Grains.Storage.Postgres;

namespace OrleansNsq.Grains.Tests.Storage.Postgres;

/// <summary>Applying our schema (Grains/Storage/Postgres/Schema/*.sql) and what a start says when it cannot.</summary>
public sealed class PostgresSchemaTests : IAsyncLifetime
{
    private TestSchema? _schema;

    private TestSchema Schema => _schema!;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null) _schema = await PostgresTestServer.CreateSchemaAsync();
    }

    public async Task DisposeAsync()
    {
        if (_schema is not null) await _schema.DisposeAsync();
    }

    private static async Task<int> ApplyAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await PostgresSchema.ApplyAsync(dataSource);
    }

    private static async Task StartAsync(string connectionString, bool applySchema = true)
    {
        await using var database = new PostgresDatabase(
            new PostgresStoreOptions { ConnectionString = connectionString, ApplySchema = applySchema }, NullLogger<PostgresDatabase>.Instance);
        await database.StartAsync(CancellationToken.None);
    }

    [PostgresFact]
    public async Task Applying_the_schema_again_keeps_the_data_and_records_the_version_once()
    {
        Assert.Equal(0, await ApplyAsync(Schema.ConnectionString));
        await Schema.ExecuteAsync("INSERT INTO nsq_log_cursor VALUES ('t', 'c', 7, 7, '')");

        Assert.Equal(PostgresSchema.Version, await ApplyAsync(Schema.ConnectionString));

        Assert.Equal(7, await Schema.ScalarAsync<long>("SELECT low_water FROM nsq_log_cursor WHERE topic = 't'"));
        Assert.Equal(1, await Schema.ScalarAsync<long>($"SELECT count(*) FROM nsq_schema WHERE version = {PostgresSchema.Version}"));
        // 4 queries of the grain storage, 9 of the clustering provider: each once.
        Assert.Equal(13, await Schema.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));
    }

    [PostgresFact]
    public async Task Silos_starting_at_once_all_apply_the_schema()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ApplyAsync(Schema.ConnectionString)));

        Assert.Equal(PostgresSchema.Version, await Schema.ScalarAsync<int>("SELECT max(version) FROM nsq_schema"));
    }

    [PostgresFact]
    public async Task The_tables_go_into_the_first_schema_of_the_search_path()
    {
        await ApplyAsync(Schema.ConnectionString);

        var tables = await Schema.ScalarAsync<string>($"""
            SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{Schema.Name}'
            """);

        Assert.Equal("nsq_grain_state,nsq_log_batch,nsq_log_cursor,nsq_log_topic,nsq_membership,nsq_membership_version,nsq_schema,orleansquery", tables);
    }

    [PostgresFact]
    public async Task A_database_with_a_newer_schema_is_refused_naming_the_server()
    {
        await ApplyAsync(Schema.ConnectionString);
        await Schema.ExecuteAsync($"INSERT INTO nsq_schema (version) VALUES ({PostgresSchema.Version + 1})");

        var error = await Assert.ThrowsAsync<PostgresStoreException>(() => ApplyAsync(Schema.ConnectionString));

        var server = new NpgsqlConnectionStringBuilder(Schema.ConnectionString);
        Assert.Equal($"postgres store {server.Host}:{server.Port}/{server.Database} has schema version {PostgresSchema.Version + 1}, newer than this program's {PostgresSchema.Version}",
            error.Message);
    }

    [PostgresFact]
    public async Task Without_ApplySchema_a_start_on_a_database_never_migrated_says_to_run_migrate()
    {
        var error = await Assert.ThrowsAsync<PostgresStoreException>(() => StartAsync(Schema.ConnectionString, applySchema: false));

        Assert.Contains("has schema version 0, this program needs", error.Message);
        Assert.Contains("migrate", error.Message);

        await ApplyAsync(Schema.ConnectionString);
        await StartAsync(Schema.ConnectionString, applySchema: false);
    }

    [PostgresFact]
    public async Task A_server_that_refuses_connections_stops_the_start_naming_the_server_and_the_cause()
    {
        var port = ClosedPort();
        var connection = PostgresTestServer.With(b => { b.Host = "127.0.0.1"; b.Port = port; });

        var error = await Assert.ThrowsAsync<PostgresStoreException>(() => StartAsync(connection));

        Assert.StartsWith($"postgres store 127.0.0.1:{port}/", error.Message);
        Assert.Contains("Connection refused", error.Message);
    }

    [PostgresFact]
    public async Task A_wrong_password_stops_the_start_saying_so_without_the_password()
    {
        var connection = PostgresTestServer.With(b => b.Password = "not-the-password");

        var error = await Assert.ThrowsAsync<PostgresStoreException>(() => StartAsync(connection));

        Assert.Contains("password authentication failed", error.Message);
        Assert.Contains("28P01", error.Message);
        Assert.DoesNotContain("not-the-password", error.Message);
    }

    [PostgresFact]
    public async Task A_database_that_does_not_exist_stops_the_start_naming_it()
    {
        var connection = PostgresTestServer.With(b => b.Database = "no_such_database");

        var error = await Assert.ThrowsAsync<PostgresStoreException>(() => StartAsync(connection));

        Assert.Contains("/no_such_database: database \"no_such_database\" does not exist", error.Message);
    }

    /// <summary>A loopback port nobody listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
