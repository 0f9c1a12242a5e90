namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>The PostgreSQL store cannot be used: the server cannot be reached, refuses the login, or holds a schema
/// this program cannot use. The message names the server and the cause, for the operator (no password).</summary>
public sealed class PostgresStoreException(string message, Exception? inner = null) : Exception(message, inner);
