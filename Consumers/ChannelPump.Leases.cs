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

    /// <summary>FIN, REQ or release of one of <paramref name="leases"/>' messages; the settlement waits for the next
    /// flush.</summary>
    internal SettleResult Settle(HeldLeases leases, long id, SettlementKind kind, int milliseconds = 0)
    {
        lock (_sync)
        {
            var result = TakeLocked(leases, id);
            if (result == SettleResult.Ok) _settlements.Add(new Settlement(id, kind, milliseconds));
            return result;
        }
    }

    /// <summary>TOUCH: new deadline = now + the holder's msg timeout, never beyond delivery + max-msg-timeout.</summary>
    internal SettleResult Touch(HeldLeases leases, long id)
    {
        lock (_sync)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_inFlight, id);
            if (Unsafe.IsNullRef(ref entry)) return SettleResult.NotInFlight;
            if (entry.Owner != leases) return SettleResult.NotOwner;
            var now = NowMs;
            if (entry.DeadlineUnixMs <= now) return SettleResult.NotInFlight; // the lease scan frees it
            var msgTimeoutMs = leases.Holder.MsgTimeoutMs;
            var extendMs = msgTimeoutMs > 0 ? msgTimeoutMs : _grantedLeaseMs;
            entry.DeadlineUnixMs = Math.Min(now + extendMs, entry.DeliveredUnixMs + _settings.MaxMsgTimeoutMs);
            _settlements.Add(new Settlement(id, SettlementKind.Touch, msgTimeoutMs));
            return SettleResult.Ok;
        }
    }

    private SettleResult TakeLocked(HeldLeases leases, long id)
    {
        // One lookup: remove first, put back in the rare case of another holder's id.
        if (!_inFlight.Remove(id, out var entry)) return SettleResult.NotInFlight;
        if (entry.Owner != leases)
        {
            _inFlight.Add(id, entry);
            return SettleResult.NotOwner;
        }
        leases.InFlight--;
        _credit.Set();
        // Past its deadline the lease belongs to the channel again (it may already be another consumer's): nsqd
        // answers "ID not in flight" until the message is delivered anew.
        return entry.DeadlineUnixMs > NowMs ? SettleResult.Ok : SettleResult.NotInFlight;
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
