using OrleansNsq.Messages;
using OrleansNsq.Stats;

namespace OrleansNsq;

/// <summary>
/// One NSQ channel (key = <c>topic/channel</c>, see <see cref="ChannelKey"/>): its queue, the messages in flight with
/// their deadlines, deferred messages (DPUB, REQ with delay), timeouts, pause and empty. Consumers reach it through a
/// gateway subscription that pulls batches against the summed RDY of its local consumers and settles FIN/REQ/TOUCH in
/// batches. Only its topic creates, fills and deletes it.
/// <para>As a .NET consumer, use <c>OrleansNsq.Consumers.ChannelConsumer</c> (assembly OrleansNsq.Consumers), which follows this protocol: a subscriber id
/// registered with <see cref="SetSubscriberAsync"/> (and repeated as a heartbeat), long-poll <see cref="PullAsync"/>
/// for no more than the free in-flight credit, and FIN/REQ/TOUCH sent as <see cref="SettleAsync"/> batches
/// (<c>Immutable&lt;Settlement[]&gt;</c>: Orleans passes the array by reference in a silo instead of copying it, so the
/// caller must not change it afterwards). Create the channel through <see cref="ITopicGrain.CreateChannelAsync"/> first,
/// and delete it through <see cref="ITopicGrain.DeleteChannelAsync"/>: what the topic itself sends its channels
/// (messages, creation, deletion) is on an internal interface no other assembly can call.</para>
/// </summary>
[Alias("OrleansNsq.IChannelGrain")]
public interface IChannelGrain : IGrainWithStringKey
{
    /// <summary>Leases up to <see cref="PullRequest.MaxCount"/> ready messages to the subscriber, waiting up to
    /// <see cref="PullRequest.WaitMs"/> for some when none is ready (while paused none is ready), never longer than
    /// <see cref="PullRequest.MaxWaitMs"/> (20 s, below Orleans' 30 s response timeout). MsgTimeoutMs 0 means --msg-timeout; it is capped at
    /// --max-msg-timeout. One batch holds at most 2,000 messages (it stays off the large-object heap).</summary>
    [Alias("Pull")]
    ValueTask<DeliveryBatch> PullAsync(PullRequest request, CancellationToken cancellationToken = default);

    /// <summary>Ends a subscriber's waiting pull at once (it answers empty).</summary>
    [Alias("CancelPull")]
    ValueTask CancelPullAsync(Guid subscriberId, CancellationToken cancellationToken = default);

    /// <summary>FIN/REQ/TOUCH/release for messages in flight, in order. A settlement is applied only when its message is
    /// in flight under its <see cref="Settlement.LeaseToken"/>; the answer lists the others (refused, nothing
    /// changed), which nsqd would have answered E_FIN_FAILED, E_REQ_FAILED or E_TOUCH_FAILED.</summary>
    [Alias("Settle")]
    ValueTask<SettleReport> SettleAsync(Immutable<Settlement[]> settlements, CancellationToken cancellationToken = default);

    /// <summary>A gateway subscription reports how many consumers it has (0 = gone). Returns true when the channel is
    /// ephemeral and no consumer is left anywhere: the caller then deletes it through its topic. A subscription that
    /// neither pulls nor calls this for the subscriber idle timeout (2 min) is forgotten, so a subscription whose
    /// consumers are all busy repeats its count as a heartbeat.</summary>
    [Alias("SetSubscriber")]
    ValueTask<bool> SetSubscriberAsync(Guid subscriberId, int clientCount, CancellationToken cancellationToken = default);

    /// <summary>Pauses (true) or unpauses (false) delivery (HTTP /channel/pause, /channel/unpause): while paused no
    /// message is ready, so pulls wait; messages keep arriving. Call it through the node's HTTP API or here; the
    /// paused flag is saved with the channel.</summary>
    [Alias("SetPaused")]
    ValueTask SetPausedAsync(bool paused, CancellationToken cancellationToken = default);

    /// <summary>Drops ready, in-flight and deferred messages (nsqd's channel empty).</summary>
    [Alias("Empty")]
    ValueTask EmptyAsync(CancellationToken cancellationToken = default);

    /// <summary>The channel's /stats counters (depth, in_flight_count, requeue_count, timeout_count,
    /// client_count...).</summary>
    [Alias("GetStats")]
    ValueTask<ChannelStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
