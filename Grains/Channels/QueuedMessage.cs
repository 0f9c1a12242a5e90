namespace OrleansNsq.Grains.Channels;

/// <summary>A message outside its segment: one that came back to the channel (REQ, timeout, release) or waits in the
/// deferred queue. A struct, so requeueing allocates nothing per message.</summary>
/// <param name="Attempts">Deliveries counted so far; the next delivery shows <c>Attempts + 1</c>.</param>
/// <param name="Body">A slice of the segment the message was published in.</param>
/// <param name="Countdown">Its segment's <see cref="SettleCountdown"/>, counted down when the message is finished.</param>
internal readonly record struct QueuedMessage(long Id, long TimestampNs, ushort Attempts, ReadOnlyMemory<byte> Body,
    SettleCountdown? Countdown = null);
