using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// One consumer as the <see cref="ChannelPump"/> sees it: how many messages it may hold, how long, and where its
/// deliveries go. A TCP client (RDY from the wire) and a <see cref="ChannelConsumer"/>'s reader implement it; the
/// pump keeps their in-flight counts (<see cref="HeldLeases"/>), so the holder never counts itself.
/// </summary>
internal interface ILeaseHolder
{
    /// <summary>RDY: the most messages it may have in flight; 0 once it takes no more (nsqd's CLS, a stopped reader).
    /// The pump's credit for it is this minus its in-flight count.</summary>
    long ReadyCount { get; }

    /// <summary>IDENTIFY msg_timeout in ms: the lease its pulls ask for and the extension of its TOUCH. 0 = the node's
    /// --msg-timeout (TOUCH then extends by the lease the channel granted).</summary>
    int MsgTimeoutMs { get; }

    /// <summary>IDENTIFY sample_rate: true when this message is to be taken off the channel unseen (nsqd FINs it).</summary>
    bool ShouldSampleOut();

    /// <summary>Takes one leased message; called under the pump's lock, so it only queues. True when the pump must
    /// call <see cref="StartDeliveries"/> once it has let go of the lock.</summary>
    bool QueueDelivery(in DeliveredMessage message);

    /// <summary>Messages were queued: write or hand them out (outside the pump's lock).</summary>
    void StartDeliveries();

    /// <summary>The channel was deleted (HTTP /channel/delete, /topic/delete): nsqd closes its consumers.</summary>
    void OnChannelDeleted();

    /// <summary>The channel refused a FIN, REQ or TOUCH of <paramref name="id"/> that the pump had accepted: the lease
    /// had already ended there (the channel failed over, or the message timed out before the settlement arrived).
    /// nsqd would have answered E_FIN_FAILED, E_REQ_FAILED or E_TOUCH_FAILED "ID not in flight"; the holder answers it
    /// now. Called outside the pump's lock.</summary>
    void OnSettlementRefused(long id, SettlementKind kind);
}
