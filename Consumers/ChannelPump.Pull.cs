using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>The pump: pull against the holders' summed free credit, spread each batch over the holders with room.</summary>
internal sealed partial class ChannelPump
{
    private async Task PumpAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int credit, msgTimeoutMs;
            lock (_sync) credit = FreeCreditLocked(out msgTimeoutMs);
            FlushSettlements();
            if (credit <= 0)
            {
                try { await _credit.WaitAsync(token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                continue;
            }

            DeliveryBatch batch;
            try
            {
                batch = await PullAsync(new PullRequest(Id, Math.Min(credit, _settings.MaxPullCount), msgTimeoutMs,
                    (int)Math.Min(_settings.PullWait.TotalMilliseconds, PullRequest.MaxWaitMs))).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                PumpLog.PullFailed(_logger, Topic, Channel, ex);
                try { await Task.Delay(_settings.RetryDelay, _time, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            catch (Exception)
            {
                break;
            }

            if (batch.ChannelDeleted)
            {
                if (batch.DeletedByItsTopic || _resubscribe is null)
                {
                    CloseHolders();
                    break;
                }
                if (!await ResubscribeAsync(token).ConfigureAwait(false)) break;
                continue;
            }
            if (batch.Count > 0)
            {
                try
                {
                    Distribute(batch);
                }
                catch (Exception ex)
                {
                    // Whatever was not handed over times out in the grain and is delivered again.
                    PumpLog.PullFailed(_logger, Topic, Channel, ex);
                }
            }
        }
        FlushSettlements();
    }

    /// <summary>The channel is unknown where it lives now (its silo failed and it was not saved): SUB again until that
    /// works or the pump stops, then start over as a new subscriber of the recreated channel. False once stopped.</summary>
    private async Task<bool> ResubscribeAsync(CancellationToken token)
    {
        while (true)
        {
            try
            {
                await _resubscribe!().WaitAsync(token).ConfigureAwait(false);
                break;
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                PumpLog.ResubscribeFailed(_logger, Topic, Channel, ex);
                try { await Task.Delay(_settings.RetryDelay, _time, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return false; }
            }
        }
        lock (_sync)
        {
            // Nothing this pump holds is in flight in the recreated channel: the slots are free, and a FIN of what the
            // holders still have is "not in flight", as nsqd answers after a reconnect.
            foreach (var (_, lease) in _inFlight) lease.Owner.InFlight--;
            _inFlight.Clear();
            _reportedCount = -1;
        }
        await ReportHolderCount().ConfigureAwait(false);
        PumpLog.Resubscribed(_logger, Topic, Channel);
        Interlocked.Increment(ref _resubscriptions);
        try
        {
            Resubscribed?.Invoke();
        }
        catch (Exception ex)
        {
            PumpLog.ResubscribedHandlerFailed(_logger, Topic, Channel, ex); // a handler's fault must not stop the pulls
        }
        return true;
    }

    /// <summary>A long poll bounded by its own wait plus <see cref="PumpSettings.CallTimeout"/>: a pull the channel's
    /// silo never answers fails like any other, and the pump tries again.</summary>
    private Task<DeliveryBatch> PullAsync(PullRequest request) =>
        ClusterCall.WithinAsync((_grain, request), static (call, token) => call.Item1.PullAsync(call.Item2, token),
            _settings.PullWait + _settings.CallTimeout, _time);

    /// <summary>The summed free credit, and the shortest msg timeout a holder with room asked for (0 = the node's
    /// default, when none asked for one).</summary>
    private int FreeCreditLocked(out int msgTimeoutMs)
    {
        long credit = 0;
        msgTimeoutMs = 0;
        foreach (var leases in _holders)
        {
            var free = leases.FreeCredit;
            if (free <= 0) continue;
            credit += free;
            var timeout = leases.Holder.MsgTimeoutMs;
            if (timeout > 0 && (msgTimeoutMs == 0 || timeout < msgTimeoutMs)) msgTimeoutMs = timeout;
        }
        return (int)Math.Min(credit, int.MaxValue);
    }

    private void Distribute(DeliveryBatch batch)
    {
        List<ILeaseHolder>? touched = null;
        lock (_sync)
        {
            var now = NowMs;
            _grantedLeaseMs = Math.Max(1, batch.DeadlineUnixMs - now);
            foreach (var message in batch.Messages)
            {
                // Every holder's room shrank (RDY, CLS, disconnect, a stopped reader) while the pull was out, or the
                // pump stopped. nsqd leases only to a client with room, so the message goes back to the channel at
                // once (attempt not counted), where another consumer may take it, instead of waiting here for its
                // lease to time out.
                if (_stopped || !TryDeliverLocked(message, batch.DeadlineUnixMs, now, ref touched))
                    AddSettlementLocked(new Settlement(message.Id, message.LeaseToken, SettlementKind.Release), null);
            }
        }
        if (touched is not null)
            foreach (var holder in touched) holder.StartDeliveries();
    }

    /// <summary>Round robin over holders with room (nsqd's consumers compete; any spread is valid).</summary>
    private bool TryDeliverLocked(in DeliveredMessage message, long deadline, long now, ref List<ILeaseHolder>? touched)
    {
        var count = _holders.Count;
        for (var i = 0; i < count; i++)
        {
            var leases = _holders[(_nextHolder + i) % count];
            if (leases.FreeCredit <= 0) continue;
            _nextHolder = (_nextHolder + i + 1) % count;

            if (leases.Holder.ShouldSampleOut())
            {
                // sample_rate: taken off the channel, never delivered (nsqd).
                AddSettlementLocked(new Settlement(message.Id, message.LeaseToken, SettlementKind.Finish), null);
                return true;
            }
            // A timed-out lease delivered again before the scan freed it: the old holder's slot is free now.
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_inFlight, message.Id, out var stale);
            if (stale) entry.Owner.InFlight--;
            entry = new Lease(leases, now, deadline, message.LeaseToken);
            leases.InFlight++;
            leases.Messages++;
            if (leases.Holder.QueueDelivery(message))
                (touched ??= []).Add(leases.Holder);
            return true;
        }
        return false;
    }
}
