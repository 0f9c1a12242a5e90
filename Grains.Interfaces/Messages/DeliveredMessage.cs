namespace OrleansNsq.Messages;

/// <summary>One message leased to a consumer: the fields of an NSQ message frame.</summary>
/// <param name="Id">The 64-bit id; on the wire it is its 16-char lowercase hex form.</param>
/// <param name="TimestampNs">Publish time, Unix nanoseconds.</param>
/// <param name="Attempts">Delivery attempts including this one (the first delivery shows 1).</param>
/// <param name="Body">The body; a slice of the segment it came in, never a copy.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.DeliveredMessage")]
public readonly record struct DeliveredMessage(
    [property: Id(0)] long Id,
    [property: Id(1)] long TimestampNs,
    [property: Id(2)] ushort Attempts,
    [property: Id(3)] ReadOnlyMemory<byte> Body);
