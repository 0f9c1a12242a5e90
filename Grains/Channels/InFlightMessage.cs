namespace OrleansNsq.Grains.Channels;

/// <summary>A leased message (nsqd keeps the same fields on its Message while in flight).</summary>
/// <param name="Attempts">Deliveries including this one.</param>
/// <param name="DeliveredAtUnixMs">When this delivery was leased: TOUCH never extends beyond it + max-msg-timeout.</param>
/// <param name="TimeoutMs">The lease's msg_timeout; a TOUCH without its own timeout renews by this much.</param>
/// <param name="Countdown">Its segment's <see cref="SettleCountdown"/>, counted down on FIN.</param>
/// <param name="LeaseToken">The token of the lease it is in flight under (<see cref="DeliveredMessage.LeaseToken"/>).</param>
internal record struct InFlightMessage(
    long TimestampNs,
    ushort Attempts,
    ReadOnlyMemory<byte> Body,
    long DeliveredAtUnixMs,
    long DeadlineUnixMs,
    int TimeoutMs,
    SettleCountdown? Countdown = null,
    int LeaseToken = 0)
{
    public readonly QueuedMessage ToQueued(long id, ushort attempts) => new(id, TimestampNs, attempts, Body, Countdown);
}
