namespace OrleansNsq.Messages;

/// <summary>One message leased to a consumer: the fields of an NSQ message frame, and the token of its lease.</summary>
/// <param name="Id">The 64-bit id; on the wire it is its 16-char lowercase hex form.</param>
/// <param name="TimestampNs">Publish time, Unix nanoseconds.</param>
/// <param name="Attempts">Delivery attempts including this one (the first delivery shows 1).</param>
/// <param name="Body">The body; a slice of the segment it came in, never a copy.</param>
/// <param name="LeaseToken">Names this delivery: the channel gives every lease (every pull's batch) its own token,
/// never 0, and takes a FIN, REQ or TOUCH only with the token of the lease the message is in flight under
/// (<see cref="Settlement"/>). A delivery of the same id after a timeout, a REQ or a failover has another token, so a
/// settlement of an earlier delivery is refused. It fills the struct's padding: a message stays 40 bytes.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.DeliveredMessage")]
public readonly record struct DeliveredMessage(
    [property: Id(0)] long Id,
    [property: Id(1)] long TimestampNs,
    [property: Id(2)] ushort Attempts,
    [property: Id(3)] ReadOnlyMemory<byte> Body,
    [property: Id(4)] int LeaseToken = 0);
