namespace OrleansNsq.Grains.Storage.Log;

/// <summary>
/// Where the message log lives (docs/STORAGE.md): one table of append-only batches across every topic of the node,
/// one cursor row per durable channel, one row per topic that has handed held batches to its channels. The
/// <see cref="MessageLog"/> above it decides what to write and when (group commit); a store only runs the writes it is
/// given, all in one transaction, and answers the reads a grain needs to rebuild itself on activation.
/// Implementations: the embedded SQLite file (default) and PostgreSQL (cluster mode).
/// </summary>
public interface IMessageLogStore
{
    /// <summary>Runs every write in one transaction and returns once it is committed and on disk (SQLite
    /// <c>synchronous=FULL</c>, PostgreSQL <c>synchronous_commit=on</c>; an embedded store written behind may leave a
    /// commit unsynced for its sync interval, safe from a crash of the process). After the writes of a topic's cursors it
    /// deletes the batches that topic no longer needs (<see cref="LogWrite"/> documents the rule), in the same
    /// transaction. Throws on any failure; nothing of the call is then committed.</summary>
    Task CommitAsync(IReadOnlyList<LogWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>The highest message id the log knows for <paramref name="topic"/> — in its batches, its channels'
    /// cursors or its released-through mark, so it stays put once the batches are deleted — 0 when none: a new
    /// activation's ids start above it.</summary>
    Task<long> ReadLastIdAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>The topic's released-through id (see <see cref="LogWrite.ReleaseHeld"/>); 0 when never written.</summary>
    Task<long> ReadReleasedThroughAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>The channel's cursor, or null when it has none (never created durably, or deleted).</summary>
    Task<StoredCursor?> ReadCursorAsync(string topic, string channel, CancellationToken cancellationToken = default);

    /// <summary>The topic's batches whose last id is above <paramref name="afterId"/>, in id order, with their
    /// bodies; at most <paramref name="maxBatches"/> of them (memory stays bounded however long the backlog).</summary>
    Task<IReadOnlyList<StoredBatch>> ReadBatchesAsync(string topic, long afterId, int maxBatches, CancellationToken cancellationToken = default);

    /// <summary>The topic's held batches (held, above its released-through id) as id ranges, batches whose ids touch
    /// merged into one range: its backlog after a restart, without reading the bodies.</summary>
    Task<IReadOnlyList<StoredRange>> ReadHeldRangesAsync(string topic, CancellationToken cancellationToken = default);
}

/// <summary>One write of a log transaction.</summary>
public abstract record LogWrite
{
    private LogWrite() { }

    /// <summary>
    /// A published batch: ids <c>FirstId … FirstId + Count − 1</c>, all with <c>TimestampNs</c>. <c>Data</c> holds the
    /// bodies back to back and <c>Ends</c> body i's end offset (as <see cref="Messages.PublishBatch"/>), so a batch is
    /// one row however many messages it has. <c>DueUnixMs</c> &gt; 0: a DPUB batch, deferred until then.
    /// <c>Held</c>: the topic kept it (no channel, or paused) instead of handing it to its channels.
    /// </summary>
    public sealed record AppendBatch(string Topic, long FirstId, int Count, long TimestampNs, long DueUnixMs, bool Held,
        ReadOnlyMemory<byte> Data, ReadOnlyMemory<int> Ends) : LogWrite
    {
        /// <summary>Written behind: once every channel has finished the batch, a commit that has not taken it yet
        /// leaves it out (<see cref="MessageLog"/>). Null: always written.</summary>
        internal SettleCountdown? Countdown { get; init; }
    }

    /// <summary>The topic handed every held batch with ids up to <c>ThroughId</c> to its channels (first channel,
    /// unpause): from now on they belong to the channels, no longer to the topic's backlog.</summary>
    public sealed record ReleaseHeld(string Topic, long ThroughId) : LogWrite;

    /// <summary>The topic dropped its held batches with ids up to <c>ThroughId</c> (topic empty): they are deleted,
    /// never reaching a channel.</summary>
    public sealed record DropHeld(string Topic, long ThroughId) : LogWrite;

    /// <summary>
    /// A channel's progress, replacing the one stored. The channel owns every message of the topic with an id above
    /// <c>LowWater</c> whose batch is not held (or was released); of those up to <c>ReceivedThroughId</c> it has
    /// received, only the ids covered by <c>Pending</c> are still to be delivered, and the ones above it it has not
    /// received yet (all to be delivered). A new channel's LowWater is the topic's last id, or just below the
    /// topic's first held id while the topic holds some. A batch whose
    /// last id is at most every channel cursor's LowWater of its topic, and (when held) at most the topic's released
    /// through id, is deleted by the store in the same transaction.
    /// </summary>
    public sealed record SaveCursor(string Topic, string Channel, StoredCursor Cursor) : LogWrite;

    /// <summary>The channel is deleted: its cursor goes, and with it its hold on the topic's batches.</summary>
    public sealed record DeleteCursor(string Topic, string Channel) : LogWrite;

    /// <summary>The topic is deleted: every batch, cursor and the released-through row of the topic go.</summary>
    public sealed record DeleteTopic(string Topic) : LogWrite;
}

/// <summary>A channel's cursor row (see <see cref="LogWrite.SaveCursor"/>).</summary>
/// <param name="Pending">Id ranges still to be delivered, sorted, each with the time it is due (0: ready now; in-flight
/// messages are stored as ready, so they are delivered again after a crash).</param>
public sealed record StoredCursor(long LowWater, long ReceivedThroughId, IReadOnlyList<PendingRange> Pending);

/// <summary>Ids <c>FromId … ToId</c> (inclusive), due at <c>DueUnixMs</c> (0 = now).</summary>
public readonly record struct PendingRange(long FromId, long ToId, long DueUnixMs);

/// <summary>Ids <c>FromId … ToId</c> of stored batches, <c>Count</c> messages.</summary>
public readonly record struct StoredRange(long FromId, long ToId, long Count);

/// <summary>A batch read back from the log.</summary>
public sealed record StoredBatch(long FirstId, int Count, long TimestampNs, long DueUnixMs, bool Held, byte[] Data, int[] Ends)
{
    public long LastId => FirstId + Count - 1;
}
