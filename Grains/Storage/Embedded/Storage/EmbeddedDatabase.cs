using Microsoft.Data.Sqlite;

namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>
/// The one SQLite file under --data-path: opened at start (directory created, WAL, <c>synchronous=FULL</c>, schema
/// created idempotently), written only through one writer connection taken under <see cref="_writeLock"/>, read through
/// pooled read-only connections (WAL lets them run beside the writer). Every write is one statement, so one
/// transaction, fsync'd before it returns (the message log's written-behind commits may skip it: EmbeddedLogStore).
/// </summary>
internal sealed class EmbeddedDatabase : IDisposable
{
    /// <summary>Marks the file as ours (<c>PRAGMA application_id</c>): "NSQO".</summary>
    public const int ApplicationId = 0x4E53514F;

    /// <summary>The schema this code writes (<c>PRAGMA user_version</c>); a file from a newer version is refused.</summary>
    public const int SchemaVersion = 2;

    /// <summary>Seconds a statement waits for a lock another connection holds (Microsoft.Data.Sqlite retries while
    /// SQLite answers busy): only another process or silo on the same file competes with the writer.</summary>
    private const int BusyTimeoutSeconds = 30;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_id      TEXT    NOT NULL,
            state_name    TEXT    NOT NULL,
            etag          INTEGER NOT NULL,
            payload       BLOB    NOT NULL,
            written_at_ms INTEGER NOT NULL,
            PRIMARY KEY (grain_id, state_name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS message_batch (
            seq          INTEGER PRIMARY KEY,
            topic        TEXT    NOT NULL,
            first_id     INTEGER NOT NULL,
            last_id      INTEGER NOT NULL,
            count        INTEGER NOT NULL,
            timestamp_ns INTEGER NOT NULL,
            due_ms       INTEGER NOT NULL,
            held         INTEGER NOT NULL,
            data         BLOB    NOT NULL,
            ends         BLOB    NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS message_batch_topic_last_id ON message_batch (topic, last_id);
        CREATE TABLE IF NOT EXISTS channel_cursor (
            topic            TEXT    NOT NULL,
            channel          TEXT    NOT NULL,
            low_water        INTEGER NOT NULL,
            received_through INTEGER NOT NULL,
            pending          BLOB    NOT NULL,
            PRIMARY KEY (topic, channel)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS topic_log (
            topic            TEXT    NOT NULL PRIMARY KEY,
            released_through INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _readConnectionString;
    private SqliteConnection? _writer;

    private readonly long _maxBytes;

    public EmbeddedDatabase(string path, long maxBytes = 0)
    {
        Path = path;
        _maxBytes = maxBytes;
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString();
    }

    public string Path { get; }

    /// <summary>Creates the directory and the file if missing, checks the file is ours, and creates the schema.
    /// Throws <see cref="EmbeddedStoreException"/> naming the file and the cause.</summary>
    public void Open()
    {
        if (_writer is not null) return;
        try
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new EmbeddedStoreException($"embedded store: cannot create the data path {System.IO.Path.GetDirectoryName(Path)}: {ex.Message}", ex);
        }
        var writer = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString());
        try
        {
            writer.Open();
            Initialize(writer);
        }
        catch (SqliteException ex)
        {
            writer.Dispose();
            throw new EmbeddedStoreException($"embedded store: cannot use {Path}: {ex.Message}", ex);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        _writer = writer;
    }

    private void Initialize(SqliteConnection writer)
    {
        var applicationId = Scalar(writer, "PRAGMA application_id;");
        var version = Scalar(writer, "PRAGMA user_version;");
        if (applicationId != 0 && applicationId != ApplicationId)
            throw new EmbeddedStoreException($"embedded store: {Path} is a SQLite database of another program (application_id {applicationId:X8})");
        if (version > SchemaVersion)
            throw new EmbeddedStoreException($"embedded store: {Path} has schema version {version}, newer than this program's {SchemaVersion}");
        // Message batches are blobs of tens of KB: big pages store one in a few pages instead of a chain of ten
        // overflow pages. Takes effect only on a new file (before WAL is set and the first table exists).
        Execute(writer, "PRAGMA page_size=32768;");
        // journal_mode=WAL is kept in the file; synchronous is per connection, and only this one writes.
        var mode = ScalarText(writer, "PRAGMA journal_mode=WAL;");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new EmbeddedStoreException($"embedded store: {Path} cannot use WAL journaling (journal_mode stays {mode})");
        Execute(writer, "PRAGMA synchronous=FULL;");
        if (_maxBytes > 0)
        {
            var pageSize = Scalar(writer, "PRAGMA page_size;");
            Execute(writer, $"PRAGMA max_page_count={Math.Max(1, _maxBytes / pageSize)};");
        }
        // Checkpoint every ~64 MB of WAL rather than SQLite's 4 MB: fewer, larger copies into the database file.
        Execute(writer, "PRAGMA wal_autocheckpoint=2048;");
        Execute(writer, Schema + $"PRAGMA application_id={ApplicationId}; PRAGMA user_version={SchemaVersion};");
        // A torn or overwritten file is found now, at start, rather than on some grain's first read.
        var check = ScalarText(writer, "PRAGMA quick_check;");
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
            throw new EmbeddedStoreException($"embedded store: {Path} is corrupt: {check}");
    }

    /// <summary>Runs <paramref name="write"/> on the writer connection, one writer at a time.</summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, T> write)
    {
        var writer = _writer ?? throw new InvalidOperationException($"embedded store {Path} is not open");
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            return write(writer);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="read"/> on a pooled read-only connection.</summary>
    public T Read<T>(Func<SqliteConnection, T> read)
    {
        if (_writer is null) throw new InvalidOperationException($"embedded store {Path} is not open");
        using var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        return read(connection);
    }

    /// <summary>Waits for a write under way, then closes the file (synchronously: a container disposing the silo's
    /// services may not await).</summary>
    public void Dispose()
    {
        _writeLock.Wait();
        try
        {
            if (_writer is null) return;
            // Closing the last connection checkpoints the WAL into the database file.
            using (var readers = new SqliteConnection(_readConnectionString)) SqliteConnection.ClearPool(readers);
            _writer.Dispose();
            _writer = null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? ScalarText(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
