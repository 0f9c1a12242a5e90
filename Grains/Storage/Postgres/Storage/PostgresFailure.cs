using System.Net.Sockets;
using Npgsql;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>Turns what Npgsql throws when the server cannot be used into one sentence for the operator: which server,
/// and why (connection refused, password authentication failed, no such database…), never the password.</summary>
public static class PostgresFailure
{
    /// <summary>"postgres store 127.0.0.1:5432/orleans_nsq".</summary>
    public static string Where(NpgsqlDataSource dataSource) => Where(dataSource.ConnectionString);

    public static string Where(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = string.IsNullOrEmpty(builder.Database) ? builder.Username : builder.Database;
        return $"postgres store {builder.Host}:{builder.Port}/{database}";
    }

    public static bool IsStoreFailure(Exception ex) =>
        ex is NpgsqlException or SocketException or TimeoutException;

    public static PostgresStoreException Wrap(NpgsqlDataSource dataSource, Exception ex) =>
        ex as PostgresStoreException ?? new PostgresStoreException($"{Where(dataSource)}: {Cause(ex)}", ex);

    /// <summary>The server's own message with its SQLSTATE, or the innermost network error.</summary>
    public static string Cause(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg) return $"{pg.MessageText} (SQLSTATE {pg.SqlState})";
            if (e is SocketException socket) return socket.Message;
            if (e is TimeoutException) return "timed out: " + e.Message;
        }
        var innermost = ex;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        return innermost.Message;
    }
}
