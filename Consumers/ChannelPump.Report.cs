namespace OrleansNsq.Consumers;

/// <summary>The holder count → the channel grain (<c>client_count</c>, the subscriber heartbeat, ephemeral deletion).</summary>
internal sealed partial class ChannelPump
{
    private int _reportedCount = -1;
    private long _lastReportUnixMs;
    private bool _reporting;
    private Task _reportLoop = Task.CompletedTask;

    /// <summary>Reports the holder count unless the channel has it already; the task ends when the count it finally
    /// sees has been reported (or a report failed: it is logged, and the lease scan repeats the count later).</summary>
    public Task ReportHolderCount()
    {
        lock (_sync)
        {
            if (!_reporting)
            {
                _reporting = true;
                _reportLoop = Task.Run(ReportLoopAsync);
            }
            return _reportLoop;
        }
    }

    private async Task ReportLoopAsync()
    {
        while (true)
        {
            int count;
            lock (_sync)
            {
                count = _stopped ? 0 : _holders.Count;
                if (count == _reportedCount)
                {
                    _reporting = false;
                    return;
                }
            }
            try
            {
                var ephemeralUnused = await _grain.SetSubscriberAsync(Id, count).ConfigureAwait(false);
                lock (_sync)
                {
                    _reportedCount = count;
                    _lastReportUnixMs = NowMs;
                }
                if (ephemeralUnused && _onEphemeralUnused is not null) await _onEphemeralUnused().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                PumpLog.ReportFailed(_logger, Topic, Channel, ex);
                lock (_sync) _reporting = false;
                return;
            }
        }
    }
}
