using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>The lease table: FIN/REQ/TOUCH/release answered at once with nsqd's results, and the expiry scan.</summary>
internal sealed partial class ChannelPump
{
    private readonly Dictionary<long, Lease> _inFlight = [];
    // The length of the last lease the channel granted, measured on this clock: TOUCH extends by it when the holder
    // asked for the node's default msg_timeout. 60 s (nsqd's --msg-timeout) until the first batch.
    private long _grantedLeaseMs = 60_000;

    /// <summary>FIN, REQ or release of one of <paramref name="leases"/>' messages (of the delivery with
    /// <paramref name="leaseToken"/>, or of any when it is 0); the settlement, with the delivery's token, waits for the
    /// next flush.</summary>
    internal SettleResult Settle(HeldLeases leases, long id, int leaseToken, SettlementKind kind, int milliseconds = 0)
    {
        lock (_sync)
        {
            var result = TakeLocked(leases, id, leaseToken, out var token);
            if (result == SettleResult.Ok) AddSettlementLocked(new Settlement(id, token, kind, milliseconds), leases);
            return result;
        }
    }

    /// <summary>TOUCH: new deadline = now + the holder's msg timeout, never beyond delivery + max-msg-timeout.</summary>
    internal SettleResult Touch(HeldLeases leases, long id, int leaseToken)
    {
        lock (_sync)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_inFlight, id);
            if (Unsafe.IsNullRef(ref entry) || (leaseToken != 0 && entry.Token != leaseToken)) return SettleResult.NotInFlight;
            if (entry.Owner != leases) return SettleResult.NotOwner;
            var now = NowMs;
            if (entry.DeadlineUnixMs <= now) return SettleResult.NotInFlight; // the lease scan frees it
            var msgTimeoutMs = leases.Holder.MsgTimeoutMs;
            var extendMs = msgTimeoutMs > 0 ? msgTimeoutMs : _grantedLeaseMs;
            entry.DeadlineUnixMs = Math.Min(now + extendMs, entry.DeliveredUnixMs + _settings.MaxMsgTimeoutMs);
            AddSettlementLocked(new Settlement(id, entry.Token, SettlementKind.Touch, msgTimeoutMs), leases);
            return SettleResult.Ok;
        }
    }

    private SettleResult TakeLocked(HeldLeases leases, long id, int leaseToken, out int token)
    {
        // One lookup: remove first, put back in the rare case of another holder's id or another delivery's token.
        token = 0;
        if (!_inFlight.Remove(id, out var entry)) return SettleResult.NotInFlight;
        if (entry.Owner != leases || (leaseToken != 0 && entry.Token != leaseToken))
        {
            _inFlight.Add(id, entry);
            return entry.Owner != leases ? SettleResult.NotOwner : SettleResult.NotInFlight;
        }
        token = entry.Token;
        leases.InFlight--;
        _credit.Set();
        // Past its deadline the lease belongs to the channel again (it may already be another consumer's): nsqd
        // answers "ID not in flight" until the message is delivered anew.
        return entry.DeadlineUnixMs > NowMs ? SettleResult.Ok : SettleResult.NotInFlight;
    }

    /// <summary>The channel refused a TOUCH the pump had answered Ok: the lease is no longer in flight there, so its
    /// slot is free here too (unless the id was delivered again since, under another token).</summary>
    private void DropRefusedTouchLocked(long id, int token)
    {
        if (!_inFlight.TryGetValue(id, out var entry) || entry.Token != token) return;
        _inFlight.Remove(id);
        entry.Owner.InFlight--;
        _credit.Set();
    }

    /// <summary>The lease scan timer: frees expired slots, and repeats the holder count when it is due.</summary>
    private void OnLeaseScan()
    {
        var repeatReport = false;
        lock (_sync)
        {
            var now = NowMs;
            if (!_stopped && !_reporting && now - _lastReportUnixMs >= (long)_settings.ReportInterval.TotalMilliseconds)
            {
                _reportedCount = -1;
                repeatReport = true;
            }
            if (_inFlight.Count > 0) FreeExpiredLeasesLocked(now);
        }
        if (repeatReport) _ = ReportHolderCount();
    }

    /// <summary>nsqd's queue scanner frees the consumer's slot when a lease expires; the grain requeues the message.</summary>
    private void FreeExpiredLeasesLocked(long now)
    {
        var freed = false;
        foreach (var (id, entry) in _inFlight)
        {
            if (entry.DeadlineUnixMs > now) continue;
            _inFlight.Remove(id);
            entry.Owner.InFlight--;
            freed = true;
        }
        if (freed) _credit.Set();
    }
}
