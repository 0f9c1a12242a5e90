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
/// message. The channel applies one only when the message is in flight under <see cref="LeaseToken"/>, the token of
/// the delivery being settled (<see cref="DeliveredMessage.LeaseToken"/>); any other is refused, as nsqd refuses a
/// FIN of a message not in flight (E_FIN_FAILED), and reported in the call's <see cref="SettleReport"/>. So a consumer
/// that still holds a delivery from before a failover, a timeout or a REQ cannot settle the message's next delivery.</summary>
/// <param name="Id">Message id.</param>
/// <param name="LeaseToken">The token of the delivery being settled (<see cref="DeliveredMessage.LeaseToken"/>).</param>
/// <param name="Kind">FIN, REQ, TOUCH or release.</param>
/// <param name="Milliseconds">REQ delay (already clamped to max-req-timeout) or TOUCH timeout.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.Settlement")]
public readonly record struct Settlement(
    [property: Id(0)] long Id,
    [property: Id(3)] int LeaseToken,
    [property: Id(1)] SettlementKind Kind,
    [property: Id(2)] int Milliseconds = 0)
{
    /// <summary>FIN of <paramref name="message"/>.</summary>
    public static Settlement Fin(in DeliveredMessage message) => new(message.Id, message.LeaseToken, SettlementKind.Finish);

    /// <summary>REQ of <paramref name="message"/>, ready again after <paramref name="delayMs"/> (0 = at once).</summary>
    public static Settlement Req(in DeliveredMessage message, int delayMs = 0) =>
        new(message.Id, message.LeaseToken, SettlementKind.Requeue, delayMs);

    /// <summary>TOUCH of <paramref name="message"/>: in flight for another <paramref name="timeoutMs"/> (0 = its lease's
    /// timeout).</summary>
    public static Settlement Touch(in DeliveredMessage message, int timeoutMs = 0) =>
        new(message.Id, message.LeaseToken, SettlementKind.Touch, timeoutMs);
}
