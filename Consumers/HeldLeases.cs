using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// One holder's place in a <see cref="ChannelPump"/>, handed back when it joins: its FIN/REQ/TOUCH go through here
/// and its counts are read here. The pump owns the counts and changes them only under its lock, so nothing outside
/// the pump counts leases.
/// </summary>
internal sealed class HeldLeases
{
    // Changed only under the pump's lock.
    internal int InFlight;
    internal long Messages;

    internal HeldLeases(ChannelPump pump, ILeaseHolder holder)
    {
        Pump = pump;
        Holder = holder;
    }

    public ChannelPump Pump { get; }

    public ILeaseHolder Holder { get; }

    /// <summary>Messages delivered to this holder and not yet FIN'd, REQ'd, released or timed out (/stats in_flight_count).</summary>
    public int InFlightCount => Volatile.Read(ref InFlight);

    /// <summary>Messages ever delivered to this holder (/stats message_count).</summary>
    public long MessageCount => Volatile.Read(ref Messages);

    /// <summary>Messages the pump may still deliver here: RDY − in flight.</summary>
    internal long FreeCredit => Holder.ReadyCount - InFlight;

    /// <summary>FIN. <paramref name="leaseToken"/> 0 settles whichever delivery of the id this holder has (NSQ's FIN
    /// names only the id); another token settles only that delivery, so a FIN of an earlier one is NotInFlight.</summary>
    public SettleResult Fin(long id, int leaseToken = 0) => Pump.Settle(this, id, leaseToken, SettlementKind.Finish);

    /// <summary>REQ: ready again after <paramref name="delayMs"/> (already capped by the caller), attempts + 1.</summary>
    public SettleResult Req(long id, int delayMs, int leaseToken = 0) => Pump.Settle(this, id, leaseToken, SettlementKind.Requeue, delayMs);

    /// <summary>TOUCH: the lease runs for another msg_timeout from now, never beyond delivery + --max-msg-timeout.</summary>
    public SettleResult Touch(long id, int leaseToken = 0) => Pump.Touch(this, id, leaseToken);

    /// <summary>Hands a delivered but unused message back at once (attempt not counted).</summary>
    public SettleResult Release(long id, int leaseToken = 0) => Pump.Settle(this, id, leaseToken, SettlementKind.Release);

    /// <summary>Sends what was settled, unless a settle call is out already (then it goes with the next).</summary>
    public void FlushSettlements() => Pump.FlushSettlements();

    /// <summary>RDY changed (or CLS): there may be credit now.</summary>
    public void OnCreditChanged() => Pump.OnCreditChanged();
}
