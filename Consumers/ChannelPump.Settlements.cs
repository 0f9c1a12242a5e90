using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>FIN/REQ/TOUCH/release reach the grain in batches: one call at a time, and what is settled while it is out
/// waits for the next, so batches grow with load. The channel answers which it refused (a lease this pump still held
/// had ended there: a failover, or a timeout the lease scan had not seen yet); each holder is told of its own, as
/// nsqd would have answered them.</summary>
internal sealed partial class ChannelPump
{
    private readonly List<Settlement> _settlements = [];
    // Who made each of _settlements (null: the pump itself, a release or a sampled-out FIN), and of the batch out; two
    // lists swapped per batch, so telling holders of refusals costs no allocation.
    private List<HeldLeases?> _settlers = [];
    private List<HeldLeases?> _settlersOut = [];
    private bool _settling;
    // Completed when the settle loop finds nothing left; made only when someone awaits a flush.
    private TaskCompletionSource? _drained;

    /// <summary>Sends what was settled as one grain call unless one is out already (the gateway calls it after each
    /// read buffer, a <see cref="ChannelConsumer"/> after each settlement).</summary>
    public void FlushSettlements()
    {
        lock (_sync)
        {
            if (_settling || _settlements.Count == 0) return;
            _settling = true;
        }
        _ = SettleLoopAsync();
    }

    /// <summary>Completes when every settlement made before the call has reached the channel grain (or failed to: a
    /// failed batch is logged, and its messages time out and come again).</summary>
    public Task FlushAsync()
    {
        Task drained;
        lock (_sync)
        {
            if (!_settling && _settlements.Count == 0) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
            if (_settling) return drained;
            _settling = true;
        }
        _ = SettleLoopAsync();
        return drained;
    }

    /// <summary>Queues one settlement made by <paramref name="settler"/> (null: by the pump).</summary>
    private void AddSettlementLocked(in Settlement settlement, HeldLeases? settler)
    {
        _settlements.Add(settlement);
        _settlers.Add(settler);
    }

    private async Task SettleLoopAsync()
    {
        while (true)
        {
            Settlement[]? batch = null;
            TaskCompletionSource? drained = null;
            lock (_sync)
            {
                if (_settlements.Count == 0)
                {
                    _settling = false;
                    (drained, _drained) = (_drained, null);
                }
                else
                {
                    batch = [.. _settlements];
                    _settlements.Clear();
                    (_settlers, _settlersOut) = (_settlersOut, _settlers);
                    _settlers.Clear();
                }
            }
            if (batch is null)
            {
                drained?.TrySetResult();
                return;
            }
            try
            {
                var report = await ClusterCall.WithinAsync((_grain, new Immutable<Settlement[]>(batch)),
                    static (call, token) => call.Item1.SettleAsync(call.Item2, token), _settings.CallTimeout, _time).ConfigureAwait(false);
                if (report.Refused is { } refused) TellRefused(batch, refused);
            }
            catch (Exception ex)
            {
                // The grain times the messages out and delivers them again: at-least-once holds.
                PumpLog.SettleFailed(_logger, Topic, Channel, batch.Length, ex);
            }
        }
    }

    /// <summary>The channel refused these settlements: their leases had ended there. A TOUCHed lease frees its slot here
    /// too; each holder hears of its own FIN, REQ and TOUCH (its client was answered before the call).</summary>
    private void TellRefused(Settlement[] batch, int[] refused)
    {
        PumpLog.SettlementsRefused(_logger, Topic, Channel, refused.Length);
        foreach (var index in refused)
        {
            if ((uint)index >= (uint)batch.Length) continue;
            var settlement = batch[index];
            HeldLeases? settler;
            lock (_sync)
            {
                settler = index < _settlersOut.Count ? _settlersOut[index] : null;
                if (settlement.Kind == SettlementKind.Touch) DropRefusedTouchLocked(settlement.Id, settlement.LeaseToken);
            }
            if (settler is not null && settlement.Kind != SettlementKind.Release)
                settler.Holder.OnSettlementRefused(settlement.Id, settlement.Kind);
        }
    }
}
