using Npgsql;
using NpgsqlTypes;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>
/// The message log on PostgreSQL (tables in <c>Schema/002-message-log.sql</c>). A commit is one round trip: every
/// write becomes a statement of one <see cref="NpgsqlBatch"/>, which PostgreSQL runs as one implicit transaction
/// (all statements or none), committed with <c>synchronous_commit=on</c> (<see cref="PostgresDatabase"/>). Runs of
/// appends become one multi-row INSERT, so a group commit of many topics' batches costs one statement. After the
/// writes, for each topic whose cursors or held batches the commit touched, one DELETE removes the batches the
/// contract's rule (<see cref="LogWrite.SaveCursor"/>) no longer keeps, in the same transaction.
/// </summary>
public sealed class PostgresLogStore(NpgsqlDataSource dataSource, MembershipFence? fence = null) : IMessageLogStore
{
    /// <summary>Rows per INSERT statement: 9 parameters each, 9,000 of the 65,535 a statement may have.</summary>
    internal const int MaxRowsPerInsert = 1000;

    private const string InsertColumns =
        "INSERT INTO nsq_log_batch (topic, last_id, first_id, count, timestamp_ns, due_ms, held, data, ends) VALUES ";

    private const string SaveCursorSql = """
        INSERT INTO nsq_log_cursor (topic, channel, low_water, received_through, pending) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (topic, channel) DO UPDATE
        SET low_water = excluded.low_water, received_through = excluded.received_through, pending = excluded.pending
        """;

    private const string DeleteCursorSql = "DELETE FROM nsq_log_cursor WHERE topic = $1 AND channel = $2";

    private const string ReleaseHeldSql = """
        INSERT INTO nsq_log_topic (topic, released_through) VALUES ($1, $2)
        ON CONFLICT (topic) DO UPDATE SET released_through = greatest(nsq_log_topic.released_through, excluded.released_through)
        """;

    private const string DropHeldSql = "DELETE FROM nsq_log_batch WHERE topic = $1 AND held AND last_id <= $2";

    private const string DeleteTopicSql = """
        WITH batches AS (DELETE FROM nsq_log_batch WHERE topic = $1),
             cursors AS (DELETE FROM nsq_log_cursor WHERE topic = $1)
        DELETE FROM nsq_log_topic WHERE topic = $1
        """;

    /// <summary>The contract's rule: a batch goes once its last id is at most every cursor's low water (no cursor: no
    /// channel holds it) and, when held, at most the topic's released-through id (none: 0).</summary>
    private const string CollectSql = """
        DELETE FROM nsq_log_batch
        WHERE topic = $1
          AND last_id <= coalesce((SELECT min(low_water) FROM nsq_log_cursor WHERE topic = $1), 9223372036854775807)
          AND (NOT held OR last_id <= coalesce((SELECT released_through FROM nsq_log_topic WHERE topic = $1), 0))
        """;

    /// <summary>Above every id the log still knows for the topic: its batches, and the ids cursors and the released
    /// mark have passed, which outlive the batches the GC deleted.</summary>
    private const string LastIdSql = """
        SELECT greatest(
            (SELECT max(last_id) FROM nsq_log_batch WHERE topic = $1),
            (SELECT max(greatest(low_water, received_through)) FROM nsq_log_cursor WHERE topic = $1),
            (SELECT released_through FROM nsq_log_topic WHERE topic = $1),
            0)
        """;

    private static readonly string?[] InsertSqlByRows = new string?[MaxRowsPerInsert + 1];

    public async Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default)
    {
        if (writes.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = BuildBatch(connection, writes);
        if (fence is null)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        // One batch is one transaction: the check's row lock is held until the writes commit.
        batch.BatchCommands.Insert(0, fence.Command());
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (MembershipFence.Refused(e))
        {
            throw new SiloDeclaredDeadException(e);
        }
    }

    internal static NpgsqlBatch BuildBatch(NpgsqlConnection connection, IReadOnlyList<LogWrite> writes)
    {
        var batch = new NpgsqlBatch(connection);
        var collect = new List<string>(); // in first-touched order
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < writes.Count)
        {
            var write = writes[i];
            if (write is LogWrite.AppendBatch)
            {
                var start = i;
                while (i < writes.Count && i - start < MaxRowsPerInsert && writes[i] is LogWrite.AppendBatch) i++;
                batch.BatchCommands.Add(Appends(writes, start, i - start));
                continue;
            }
            switch (write)
            {
                case LogWrite.ReleaseHeld release:
                    batch.BatchCommands.Add(Command(ReleaseHeldSql, Text(release.Topic), Int64(release.ThroughId)));
                    Touch(collect, touched, release.Topic);
                    break;
                case LogWrite.DropHeld drop:
                    batch.BatchCommands.Add(Command(DropHeldSql, Text(drop.Topic), Int64(drop.ThroughId)));
                    Touch(collect, touched, drop.Topic);
                    break;
                case LogWrite.SaveCursor save:
                    batch.BatchCommands.Add(Command(SaveCursorSql, Text(save.Topic), Text(save.Channel),
                        Int64(save.Cursor.LowWater), Int64(save.Cursor.ReceivedThroughId),
                        Bytes(PendingRangeCodec.Encode(save.Cursor.Pending))));
                    Touch(collect, touched, save.Topic);
                    break;
                case LogWrite.DeleteCursor delete:
                    batch.BatchCommands.Add(Command(DeleteCursorSql, Text(delete.Topic), Text(delete.Channel)));
                    Touch(collect, touched, delete.Topic);
                    break;
                case LogWrite.DeleteTopic deleteTopic:
                    batch.BatchCommands.Add(Command(DeleteTopicSql, Text(deleteTopic.Topic)));
                    break;
                default:
                    throw new ArgumentException($"unknown log write {write.GetType().Name}", nameof(writes));
            }
            i++;
        }
        foreach (var topic in collect)
            batch.BatchCommands.Add(Command(CollectSql, Text(topic)));
        return batch;
    }

    private static void Touch(List<string> topics, HashSet<string> touched, string topic)
    {
        if (touched.Add(topic)) topics.Add(topic);
    }

    private static NpgsqlBatchCommand Appends(IReadOnlyList<LogWrite> writes, int start, int count)
    {
        var command = new NpgsqlBatchCommand(InsertSql(count));
        var parameters = command.Parameters;
        for (var i = start; i < start + count; i++)
        {
            var append = (LogWrite.AppendBatch)writes[i];
            if (append.Count <= 0 || append.Ends.Length != append.Count)
                throw new ArgumentException(
                    $"batch {append.Topic}/{append.FirstId}: Count {append.Count} with {append.Ends.Length} ends", nameof(writes));
            parameters.Add(Text(append.Topic));
            parameters.Add(Int64(append.FirstId + append.Count - 1));
            parameters.Add(Int64(append.FirstId));
            parameters.Add(new NpgsqlParameter<int> { TypedValue = append.Count });
            parameters.Add(Int64(append.TimestampNs));
            parameters.Add(Int64(append.DueUnixMs));
            parameters.Add(new NpgsqlParameter<bool> { TypedValue = append.Held });
            parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = append.Data, NpgsqlDbType = NpgsqlDbType.Bytea });
            parameters.Add(Bytes(PendingRangeCodec.EncodeEnds(append.Ends.Span)));
        }
        return command;
    }

    /// <summary><c>INSERT … VALUES ($1, …, $9), ($10, …)</c> for <paramref name="rows"/> rows, built once per count.</summary>
    private static string InsertSql(int rows)
    {
        if (InsertSqlByRows[rows] is { } cached) return cached;
        var sql = new System.Text.StringBuilder(InsertColumns, InsertColumns.Length + rows * 48);
        for (var row = 0; row < rows; row++)
        {
            if (row > 0) sql.Append(", ");
            sql.Append('(');
            for (var column = 1; column <= 9; column++)
            {
                if (column > 1) sql.Append(", ");
                sql.Append('$').Append(row * 9 + column);
            }
            sql.Append(')');
        }
        // A commit retried after an unknown outcome (the connection dropped mid-commit) finds its batches there already.
        sql.Append(" ON CONFLICT (topic, last_id) DO NOTHING");
        return InsertSqlByRows[rows] = sql.ToString();
    }

    public async Task<long> ReadLastIdAsync(string topic, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(LastIdSql);
        command.Parameters.Add(Text(topic));
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<long> ReadReleasedThroughAsync(string topic, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT released_through FROM nsq_log_topic WHERE topic = $1");
        command.Parameters.Add(Text(topic));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long through ? through : 0;
    }

    public async Task<StoredCursor?> ReadCursorAsync(string topic, string channel, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT low_water, received_through, pending FROM nsq_log_cursor WHERE topic = $1 AND channel = $2");
        command.Parameters.Add(Text(topic));
        command.Parameters.Add(Text(channel));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return new StoredCursor(reader.GetInt64(0), reader.GetInt64(1),
            PendingRangeCodec.Decode(reader.GetFieldValue<byte[]>(2)));
    }

    public async Task<IReadOnlyList<StoredBatch>> ReadBatchesAsync(string topic, long afterId, int maxBatches,
        CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT first_id, count, timestamp_ns, due_ms, held, data, ends FROM nsq_log_batch
            WHERE topic = $1 AND last_id > $2 ORDER BY last_id LIMIT $3
            """);
        command.Parameters.Add(Text(topic));
        command.Parameters.Add(Int64(afterId));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, maxBatches) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var batches = new List<StoredBatch>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batches.Add(new StoredBatch(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetBoolean(4), reader.GetFieldValue<byte[]>(5), PendingRangeCodec.DecodeEnds(reader.GetFieldValue<byte[]>(6))));
        }
        return batches;
    }

    public async Task<IReadOnlyList<StoredRange>> ReadHeldRangesAsync(string topic, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT first_id, last_id, count FROM nsq_log_batch
            WHERE topic = $1 AND held
              AND last_id > coalesce((SELECT released_through FROM nsq_log_topic WHERE topic = $1), 0)
            ORDER BY last_id
            """);
        command.Parameters.Add(Text(topic));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var ranges = new List<StoredRange>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var range = new StoredRange(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
            if (ranges.Count > 0 && ranges[^1].ToId + 1 == range.FromId)
                ranges[^1] = new StoredRange(ranges[^1].FromId, range.ToId, ranges[^1].Count + range.Count);
            else
                ranges.Add(range);
        }
        return ranges;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<long> Int64(long value) => new() { TypedValue = value };

    private static NpgsqlParameter<byte[]> Bytes(byte[] value) => new() { TypedValue = value };
}
