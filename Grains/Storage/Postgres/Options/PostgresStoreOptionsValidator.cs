using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>Checks the connection string's form; reaching the server is checked at start.</summary>
public sealed class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            return ValidateOptionsResult.Fail("Storage:ConnectionString (--storage-connection) is required with --storage=postgres");
        if (options.MaxPoolSize < 1)
            return ValidateOptionsResult.Fail("Storage:MaxPoolSize (--storage-max-connections) must be at least 1");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
                return ValidateOptionsResult.Fail("Storage:ConnectionString (--storage-connection) names no Host");
        }
        catch (ArgumentException ex)
        {
            // The message names the keyword at fault, never the value (it may be a password).
            return ValidateOptionsResult.Fail($"Storage:ConnectionString (--storage-connection) is not an Npgsql connection string: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}
