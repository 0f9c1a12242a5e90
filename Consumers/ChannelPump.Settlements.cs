using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>FIN/REQ/TOUCH/release reach the grain in batches: one call at a time, and what is settled while it is out
/// waits for the next, so batches grow with load.</summary>
internal sealed partial class ChannelPump
{
    private readonly List<Settlement> _settlements = [];
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
                }
            }
            if (batch is null)
            {
                drained?.TrySetResult();
                return;
            }
            try
            {
                await ClusterCall.WithinAsync((_grain, new Immutable<Settlement[]>(batch)),
                    static (call, token) => call.Item1.SettleAsync(call.Item2, token), _settings.CallTimeout, _time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The grain times the messages out and delivers them again: at-least-once holds.
                PumpLog.SettleFailed(_logger, Topic, Channel, batch.Length, ex);
            }
        }
    }
}
