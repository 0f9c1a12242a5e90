namespace OrleansNsq.Messages;

/// <summary>What a consumer did with an in-flight message; a gateway sends them to the channel in batches.</summary>
[GenerateSerializer, Alias("OrleansNsq.SettlementKind")]
public enum SettlementKind : byte
{
    /// <summary>FIN: done, forget it.</summary>
    Finish = 0,
    /// <summary>REQ: back to the queue after <see cref="Settlement.Milliseconds"/> (0 = at once); attempts kept.</summary>
    Requeue = 1,
    /// <summary>TOUCH: in flight for another <see cref="Settlement.Milliseconds"/> (the client's msg_timeout; 0 = the lease's own timeout), capped by max-msg-timeout.</summary>
    Touch = 2,
    /// <summary>Leased but never written to any consumer (its connection went away first): back to the queue, attempt not counted.</summary>
    Release = 3,
}

/// <summary>One FIN, REQ, TOUCH or release of a message in flight. Consumers send them as
/// <c>Immutable&lt;Settlement[]&gt;</c> batches to <see cref="IChannelGrain.SettleAsync"/>: one call per batch, never per
/// message. Unknown ids are ignored, so a consumer must track its own leases to answer E_FIN_FAILED.</summary>
/// <param name="Id">Message id.</param>
/// <param name="Kind">FIN, REQ, TOUCH or release.</param>
/// <param name="Milliseconds">REQ delay (already clamped to max-req-timeout) or TOUCH timeout.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.Settlement")]
public readonly record struct Settlement(
    [property: Id(0)] long Id,
    [property: Id(1)] SettlementKind Kind,
    [property: Id(2)] int Milliseconds = 0);
