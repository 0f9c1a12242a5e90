using Npgsql;

namespace OrleansNsq.Tests.Postgres;

/// <summary>
/// The PostgreSQL server of the test run: <c>ORLEANSNSQ_TEST_POSTGRES</c>, a superuser's Npgsql connection string,
/// which tests/run.sh sets after starting a throw-away cluster (tests/postgres.sh). Policy (docs/STORAGE.md "Tests"):
/// without it, PostgreSQL tests are skipped, saying so, except under <c>CI=true</c>, where they run and fail with
/// <see cref="MissingMessage"/>: CI must never pass without having tested the PostgreSQL store.
/// Each test works in a schema of its own (<see cref="CreateSchemaAsync"/>), so tests run in parallel and again.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "ORLEANSNSQ_TEST_POSTGRES";

    public const string MissingMessage =
        Variable + " is not set: the PostgreSQL tests need a server (bash tests/run.sh starts a throw-away one)";

    public static string? AdminConnectionString { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Why PostgreSQL tests are skipped, or null when they run (a server is set, or this is CI).</summary>
    public static string? SkipReason { get; } =
        AdminConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? MissingMessage + "; skipped outside CI"
            : null;

    public static string RequireAdminConnectionString() =>
        AdminConnectionString ?? throw new InvalidOperationException(MissingMessage);

    /// <summary>A new, empty schema; its connection string has it as the search path, so our schema's unqualified
    /// tables (and the provider's <c>OrleansQuery</c>) are created and found there.</summary>
    public static async Task<TestSchema> CreateSchemaAsync()
    {
        var admin = RequireAdminConnectionString();
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new TestSchema(admin, name, new NpgsqlConnectionStringBuilder(admin) { SearchPath = name }.ConnectionString);
    }

    /// <summary>Builds a connection string to the test server with <paramref name="change"/> applied.</summary>
    public static string With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(RequireAdminConnectionString());
        change(builder);
        return builder.ConnectionString;
    }
}

/// <summary>A schema of one test, dropped with everything in it on dispose.</summary>
public sealed class TestSchema(string adminConnectionString, string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    /// <summary>The superuser's connection string with <c>Search Path</c> = this schema.</summary>
    public string ConnectionString { get; } = connectionString;

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
