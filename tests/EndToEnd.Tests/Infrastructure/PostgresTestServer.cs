using Npgsql;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The test run's PostgreSQL (<c>ORLEANSNSQ_TEST_POSTGRES</c>, set by tests/run.sh), with the same policy as the grain
/// tests' (docs/STORAGE.md "Tests"): skipped without it outside CI, failing with <see cref="MissingMessage"/> under
/// <c>CI=true</c>. Each test gets a schema of its own.
/// </summary>
internal static class PostgresTestServer
{
    public const string Variable = "ORLEANSNSQ_TEST_POSTGRES";

    public const string MissingMessage =
        Variable + " is not set: the PostgreSQL tests need a server (bash tests/run.sh starts a throw-away one)";

    public static string? AdminConnectionString { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string? SkipReason { get; } =
        AdminConnectionString is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? MissingMessage + "; skipped outside CI"
            : null;

    public static string RequireAdminConnectionString() =>
        AdminConnectionString ?? throw new InvalidOperationException(MissingMessage);

    /// <summary>A connection string to a new, empty schema (its search path), dropped when disposed.</summary>
    public static async Task<PostgresTestSchema> CreateSchemaAsync()
    {
        var admin = RequireAdminConnectionString();
        var name = "e2e_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new PostgresTestSchema(admin, name, new NpgsqlConnectionStringBuilder(admin) { SearchPath = name }.ConnectionString);
    }

    public static string With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(RequireAdminConnectionString());
        change(builder);
        return builder.ConnectionString;
    }
}

internal sealed class PostgresTestSchema(string adminConnectionString, string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = connectionString;

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
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

/// <summary>A fact that needs the test PostgreSQL server (<see cref="PostgresTestServer"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestServer.SkipReason is { } reason) Skip = reason;
    }
}
