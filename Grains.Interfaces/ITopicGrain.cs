using Orleans.Concurrency;
using OrleansNsq.Messages;
using OrleansNsq.Stats;

namespace OrleansNsq;

/// <summary>
/// One NSQ topic (key = the topic name). Accepts publish batches, gives each message its id and timestamp, and hands
/// every batch to each of its channels; with no channel (or paused) it holds the messages until a channel appears
/// (or unpause). Every method is per batch, never per message.
/// <para>A .NET service publishes with <see cref="PublishAsync"/> (<c>grains.Topic("t").PublishAsync(new(PublishBatch.From(bodies)))</c>;
/// the key must be an NSQ name, and a grain of another key refuses every call with an <see cref="ArgumentException"/>):
/// one call per batch is what makes it cheap; the gateway cuts its batches at 64 KB, and any size that fits in
/// Orleans' message limit works. The batch is <c>Immutable&lt;PublishBatch&gt;</c>: Orleans passes it by reference
/// inside a silo instead of copying it, so the caller must not change its arrays afterwards. NSQ clients on the same
/// topic see the same messages (ids, timestamps, attempts), whichever way they were published.</para>
/// </summary>
[Alias("OrleansNsq.ITopicGrain")]
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>PUB/MPUB/DPUB: creates the topic if needed and accepts the batch, one grain call per batch. Completes
    /// once the topic has taken the batch (its channels get it right after, in the topic's own calls) and, with
    /// --mem-queue-size=0, once it is committed to disk; throws when that failed or the log cannot commit
    /// (E_PUB_FAILED). Throws an <see cref="ArgumentException"/> (nothing is taken) for what nsqd refuses on the wire:
    /// an empty body, a body above the node's --max-msg-size, offsets that do not describe the data
    /// (<see cref="PublishBatch.ThrowIfMalformed"/>), a defer above --max-req-timeout. Interleaves: publishes that wait for the disk share its commits, and a publisher that outruns
    /// the disk or a channel waits here before its batch is taken.</summary>
    [Alias("Publish"), AlwaysInterleave]
    ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default);

    /// <summary>Creates the topic if it does not exist (HTTP /topic/create, SUB).</summary>
    [Alias("Create")]
    ValueTask CreateAsync(CancellationToken cancellationToken = default);

    /// <summary>True while the topic exists (created and not deleted).</summary>
    [Alias("Exists")]
    ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the topic and the channel if needed; the first channel receives the topic's backlog.</summary>
    [Alias("CreateChannel")]
    ValueTask CreateChannelAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>Deletes a channel (its consumers are disconnected). False when the topic or channel does not exist.
    /// An ephemeral topic is deleted with its last channel.</summary>
    [Alias("DeleteChannel")]
    ValueTask<bool> DeleteChannelAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>Names of the existing channels (sorted).</summary>
    [Alias("GetChannels")]
    ValueTask<string[]> GetChannelsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the topic, its channels and their messages. False when it does not exist.</summary>
    [Alias("Delete")]
    ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops (true) or restarts (false) handing messages to channels. False when the topic does not exist.</summary>
    [Alias("SetPaused")]
    ValueTask<bool> SetPausedAsync(bool paused, CancellationToken cancellationToken = default);

    /// <summary>Drops the messages the topic itself holds; channels are untouched. False when it does not exist.</summary>
    [Alias("Empty")]
    ValueTask<bool> EmptyAsync(CancellationToken cancellationToken = default);

    /// <summary>Counters of the topic and its channels; null when the topic does not exist.
    /// <paramref name="channel"/> non-null limits the channels to that one.</summary>
    [Alias("GetStats")]
    ValueTask<TopicStats?> GetStatsAsync(string? channel = null, CancellationToken cancellationToken = default);
}
