using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>
/// The message log in the embedded SQLite file (tables in <see cref="EmbeddedDatabase"/>'s schema): every commit is
/// one transaction on the database's one writer connection, so grain state writes and log commits never fight for
/// SQLite's write lock. Batches are rows of a rowid table (appends go to the end of the B-tree); the index on
/// (topic, last_id) serves reads on activation and the garbage collection after cursor writes.
/// </summary>
/// <remarks>
/// Written behind (<paramref name="syncInterval"/> &gt; 0) a commit is fsync'd only if the last synced one is at least
/// that old; the others are committed with <c>synchronous=NORMAL</c>: in the WAL and the OS's page cache, so a crash
/// of the process loses none of them, and an OS crash or power loss at most <paramref name="syncInterval"/> of them.
/// A commit left unsynced is synced by a checkpoint once the interval has passed, if no synced commit came first.
/// Every other write on the connection (grain state) stays <c>synchronous=FULL</c>, and syncs what went before it.
/// With a zero interval (durable mode, --mem-queue-size=0) every commit is fsync'd before it returns.
/// </remarks>
internal sealed class EmbeddedLogStore(EmbeddedDatabase database, TimeSpan syncInterval = default, TimeProvider? time = null) : IMessageLogStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // The commit's frequent statements stay prepared on the writer connection (used under its write lock only).
    private Statements? _statements;
    // Under the database's write lock:
    private long _lastSyncTimestamp = long.MinValue;
    private bool _unsynced;
    private ITimer? _trailingSync;
    private int _trailingArmed;

    /// <summary>Commits fsync'd before they returned, commits left to the interval, and the checkpoints that synced
    /// those (tests).</summary>
    internal long SyncedCommits, UnsyncedCommits, TrailingSyncs;

    public Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default) =>
        database.WriteAsync(connection =>
        {
            var sync = syncInterval <= TimeSpan.Zero || _lastSyncTimestamp == long.MinValue ||
                _time.GetElapsedTime(_lastSyncTimestamp) >= syncInterval;
            if (!sync) On(connection).Synchronous(full: false);
            try
            {
                CommitOn(connection, writes);
            }
            finally
            {
                if (!sync) On(connection).Synchronous(full: true);
            }
            if (sync)
            {
                _lastSyncTimestamp = _time.GetTimestamp();
                _unsynced = false;
                SyncedCommits++;
            }
            else
            {
                _unsynced = true;
                UnsyncedCommits++;
                ArmTrailingSync();
            }
            return true;
        });

    /// <summary>One checkpoint after the interval syncs what the commits since the last synced one left in the WAL.</summary>
    private void ArmTrailingSync()
    {
        if (Interlocked.Exchange(ref _trailingArmed, 1) == 1) return;
        _trailingSync ??= _time.CreateTimer(static s => ((EmbeddedLogStore)s!).TrailingSync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _trailingSync.Change(syncInterval, Timeout.InfiniteTimeSpan);
    }

    private void TrailingSync() => _ = TrailingSyncAsync();

    private async Task TrailingSyncAsync()
    {
        Volatile.Write(ref _trailingArmed, 0);
        try
        {
            await database.WriteAsync(connection =>
            {
                if (!_unsynced) return false;
                // A checkpoint syncs the WAL before it copies it into the database file (synchronous is FULL here).
                using (var checkpoint = connection.CreateCommand())
                {
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    checkpoint.ExecuteNonQuery();
                }
                _unsynced = false;
                _lastSyncTimestamp = _time.GetTimestamp();
                TrailingSyncs++;
                return true;
            }).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The database was closed: closing checkpointed the WAL.
        }
    }

    private void CommitOn(SqliteConnection connection, IReadOnlyList<LogWrite> writes)
    {
        using var transaction = connection.BeginTransaction();
        var statements = PreparedOn(connection, transaction);
        HashSet<string>? collect = null;
        foreach (var write in writes)
        {
            switch (write)
            {
                case LogWrite.AppendBatch append:
                    statements.Append(append);
                    break;
                case LogWrite.SaveCursor save:
                    statements.SaveCursor(save);
                    (collect ??= []).Add(save.Topic);
                    break;
                case LogWrite.DeleteCursor delete:
                    statements.Run("DELETE FROM channel_cursor WHERE topic = $topic AND channel = $channel;",
                        ("$topic", delete.Topic), ("$channel", delete.Channel));
                    (collect ??= []).Add(delete.Topic);
                    break;
                case LogWrite.ReleaseHeld release:
                    statements.Run("""
                        INSERT INTO topic_log (topic, released_through) VALUES ($topic, $through)
                        ON CONFLICT (topic) DO UPDATE SET released_through = max(released_through, excluded.released_through);
                        """, ("$topic", release.Topic), ("$through", release.ThroughId));
                    (collect ??= []).Add(release.Topic);
                    break;
                case LogWrite.DropHeld drop:
                    statements.Run("DELETE FROM message_batch WHERE topic = $topic AND held = 1 AND last_id <= $through;",
                        ("$topic", drop.Topic), ("$through", drop.ThroughId));
                    break;
                case LogWrite.DeleteTopic delete:
                    statements.Run("DELETE FROM message_batch WHERE topic = $topic;", ("$topic", delete.Topic));
                    statements.Run("DELETE FROM channel_cursor WHERE topic = $topic;", ("$topic", delete.Topic));
                    statements.Run("DELETE FROM topic_log WHERE topic = $topic;", ("$topic", delete.Topic));
                    collect?.Remove(delete.Topic);
                    break;
                default:
                    throw new NotSupportedException($"unknown log write {write.GetType().Name}");
            }
        }
        if (collect is not null)
            foreach (var topic in collect) statements.Collect(topic);
        transaction.Commit();
    }

    private Statements PreparedOn(SqliteConnection connection, SqliteTransaction transaction)
    {
        var statements = On(connection);
        statements.Transaction = transaction;
        return statements;
    }

    private Statements On(SqliteConnection connection)
    {
        if (_statements?.Connection != connection)
        {
            _statements?.Dispose();
            _statements = new Statements(connection);
        }
        return _statements;
    }

    /// <summary>The garbage collection rule of <see cref="LogWrite.SaveCursor"/>: a batch goes once every cursor of
    /// its topic is past it (no cursor: no channel holds it) and, if the topic held it, once the topic released it.</summary>
    private const string CollectSql = """
        DELETE FROM message_batch
        WHERE topic = $topic
          AND last_id <= coalesce((SELECT min(low_water) FROM channel_cursor WHERE topic = $topic), 9223372036854775807)
          AND (held = 0 OR last_id <= coalesce((SELECT released_through FROM topic_log WHERE topic = $topic), 0));
        """;

    public Task<long> ReadLastIdAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Read(connection =>
            Scalar(connection, """
                SELECT max(
                    coalesce((SELECT max(last_id) FROM message_batch WHERE topic = $topic), 0),
                    coalesce((SELECT max(max(low_water, received_through)) FROM channel_cursor WHERE topic = $topic), 0),
                    coalesce((SELECT released_through FROM topic_log WHERE topic = $topic), 0));
                """, topic)));

    public Task<long> ReadReleasedThroughAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Read(connection =>
            Scalar(connection, "SELECT coalesce((SELECT released_through FROM topic_log WHERE topic = $topic), 0);", topic)));

    public Task<StoredCursor?> ReadCursorAsync(string topic, string channel, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT low_water, received_through, pending FROM channel_cursor WHERE topic = $topic AND channel = $channel;";
            command.Parameters.AddWithValue("$topic", topic);
            command.Parameters.AddWithValue("$channel", channel);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return null;
            return new StoredCursor(reader.GetInt64(0), reader.GetInt64(1), PendingRangeCodec.Decode((byte[])reader.GetValue(2)));
        }));

    public Task<IReadOnlyList<StoredRange>> ReadHeldRangesAsync(string topic, CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Read<IReadOnlyList<StoredRange>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT first_id, last_id, count FROM message_batch
                WHERE topic = $topic AND held = 1
                  AND last_id > coalesce((SELECT released_through FROM topic_log WHERE topic = $topic), 0)
                ORDER BY last_id;
                """;
            command.Parameters.AddWithValue("$topic", topic);
            using var reader = command.ExecuteReader();
            var ranges = new List<StoredRange>();
            while (reader.Read())
            {
                var range = new StoredRange(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                if (ranges.Count > 0 && ranges[^1].ToId + 1 == range.FromId)
                    ranges[^1] = new StoredRange(ranges[^1].FromId, range.ToId, ranges[^1].Count + range.Count);
                else
                    ranges.Add(range);
            }
            return ranges;
        }));

    public Task<IReadOnlyList<StoredBatch>> ReadBatchesAsync(string topic, long afterId, int maxBatches,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(database.Read<IReadOnlyList<StoredBatch>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT first_id, count, timestamp_ns, due_ms, held, data, ends FROM message_batch
                WHERE topic = $topic AND last_id > $after ORDER BY last_id LIMIT $max;
                """;
            command.Parameters.AddWithValue("$topic", topic);
            command.Parameters.AddWithValue("$after", afterId);
            command.Parameters.AddWithValue("$max", maxBatches);
            using var reader = command.ExecuteReader();
            var batches = new List<StoredBatch>();
            while (reader.Read())
            {
                batches.Add(new StoredBatch(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4) != 0, (byte[])reader.GetValue(5), PendingRangeCodec.DecodeEnds((byte[])reader.GetValue(6))));
            }
            return batches;
        }));

    private static long Scalar(SqliteConnection connection, string sql, string topic)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$topic", topic);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The commits' statements: the frequent ones prepared once per writer connection and bound again per
    /// row (a commit per few milliseconds would otherwise parse them again each time).</summary>
    private sealed class Statements(SqliteConnection connection) : IDisposable
    {
        private SqliteCommand? _append;
        private SqliteCommand? _cursor;
        private SqliteCommand? _collect;
        private SqliteCommand? _syncFull;
        private SqliteCommand? _syncNormal;

        // Up to a gateway batch (64 KB); a bigger blob is not kept bound between commits.
        private const int KeepPreparedBelowBytes = 64 * 1024;

        public SqliteConnection Connection => connection;

        /// <summary>The transaction of the commit under way.</summary>
        public SqliteTransaction? Transaction { get; set; }

        public void Append(LogWrite.AppendBatch batch)
        {
            if (_append is null)
            {
                _append = Command("""
                    INSERT INTO message_batch (topic, first_id, last_id, count, timestamp_ns, due_ms, held, data, ends)
                    VALUES ($topic, $first, $last, $count, $ts, $due, $held, $data, $ends)
                    ON CONFLICT (topic, last_id) DO NOTHING;
                    """);
                foreach (var name in (string[])["$topic", "$first", "$last", "$count", "$ts", "$due", "$held", "$data", "$ends"])
                    _append.Parameters.Add(new SqliteParameter { ParameterName = name });
                _append.Prepare();
            }
            _append.Transaction = Transaction;
            var p = _append.Parameters;
            p[0].Value = batch.Topic;
            p[1].Value = batch.FirstId;
            p[2].Value = batch.FirstId + batch.Count - 1;
            p[3].Value = batch.Count;
            p[4].Value = batch.TimestampNs;
            p[5].Value = batch.DueUnixMs;
            p[6].Value = batch.Held ? 1 : 0;
            p[7].Value = Exact(batch.Data);
            p[8].Value = PendingRangeCodec.EncodeEnds(batch.Ends.Span);
            _append.ExecuteNonQuery();
            // The statement keeps its last bindings (SQLite copies the blob): let go of the arrays, and of a large
            // batch's copy too, so an idle node does not hold its last batch.
            p[7].Value = null;
            p[8].Value = null;
            if (batch.Data.Length > KeepPreparedBelowBytes)
            {
                _append.Dispose();
                _append = null;
            }
        }

        public void SaveCursor(LogWrite.SaveCursor save)
        {
            if (_cursor is null)
            {
                _cursor = Command("""
                    INSERT INTO channel_cursor (topic, channel, low_water, received_through, pending)
                    VALUES ($topic, $channel, $low, $received, $pending)
                    ON CONFLICT (topic, channel) DO UPDATE SET low_water = excluded.low_water,
                        received_through = excluded.received_through, pending = excluded.pending;
                    """);
                foreach (var name in (string[])["$topic", "$channel", "$low", "$received", "$pending"])
                    _cursor.Parameters.Add(new SqliteParameter { ParameterName = name });
                _cursor.Prepare();
            }
            _cursor.Transaction = Transaction;
            var p = _cursor.Parameters;
            p[0].Value = save.Topic;
            p[1].Value = save.Channel;
            p[2].Value = save.Cursor.LowWater;
            p[3].Value = save.Cursor.ReceivedThroughId;
            p[4].Value = PendingRangeCodec.Encode(save.Cursor.Pending);
            _cursor.ExecuteNonQuery();
        }

        public void Collect(string topic)
        {
            if (_collect is null)
            {
                _collect = Command(CollectSql);
                _collect.Parameters.Add(new SqliteParameter { ParameterName = "$topic" });
                _collect.Prepare();
            }
            _collect.Transaction = Transaction;
            _collect.Parameters[0].Value = topic;
            _collect.ExecuteNonQuery();
        }

        public void Run(string sql, params (string Name, object Value)[] parameters)
        {
            using var command = Command(sql);
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
            command.ExecuteNonQuery();
        }

        /// <summary><c>synchronous=FULL</c> or <c>NORMAL</c>, run between transactions (SQLite refuses it inside one).</summary>
        public void Synchronous(bool full)
        {
            ref var command = ref full ? ref _syncFull : ref _syncNormal;
            if (command is null)
            {
                command = connection.CreateCommand();
                command.CommandText = full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
                command.Prepare();
            }
            command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _append?.Dispose();
            _cursor?.Dispose();
            _collect?.Dispose();
            _syncFull?.Dispose();
            _syncNormal?.Dispose();
        }

        private SqliteCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = Transaction;
            command.CommandText = sql;
            return command;
        }

        // SQLite binds whole arrays: a slice is copied, the whole array (the usual case) is not.
        private static byte[] Exact(ReadOnlyMemory<byte> data) =>
            MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : data.ToArray();
    }
}
