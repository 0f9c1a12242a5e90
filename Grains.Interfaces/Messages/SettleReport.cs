namespace OrleansNsq.Messages;

/// <summary>
/// What a channel did with one <see cref="IChannelGrain.SettleAsync"/> batch: the settlements it refused because the
/// message was not in flight under the settlement's lease token (settled already, timed out, requeued, delivered
/// again, or lost with a failed silo). nsqd answers each of them E_FIN_FAILED, E_REQ_FAILED or E_TOUCH_FAILED "ID not
/// in flight"; a consumer that answered its client before the call tells it now.
/// </summary>
/// <param name="Refused">Indexes into the batch of the refused settlements, in order; null when none was (the usual
/// answer, which allocates nothing).</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.SettleReport")]
public readonly record struct SettleReport([property: Id(0)] int[]? Refused)
{
    /// <summary>Every settlement was applied.</summary>
    public static SettleReport AllApplied => default;

    /// <summary>Number of refused settlements.</summary>
    public int RefusedCount => Refused?.Length ?? 0;
}
