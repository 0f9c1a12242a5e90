using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// nsqd's heartbeats: a <c>_heartbeat_</c> frame every interval from connection start on a fixed timer, re-armed by
/// the first IDENTIFY; the connection is dropped without a frame after two intervals with nothing received.
/// </summary>
internal sealed partial class ClientSession
{
    private static readonly ReadOnlyMemory<byte> HeartbeatFrame = FrameWriter.HeartbeatFrame.ToArray();

    // null = disabled by IDENTIFY heartbeat_interval -1 (SUB is then refused).
    private TimeSpan? _heartbeatInterval;
    private ITimer? _heartbeatTimer;
    private ITimer? _readDeadline;

    private void StartHeartbeats()
    {
        var interval = _heartbeatInterval!.Value;
        _heartbeatTimer = _time.CreateTimer(static s => ((ClientSession)s!).SendHeartbeat(), this, interval, interval);
        _readDeadline = _time.CreateTimer(static s => ((ClientSession)s!).Abort("no data for two heartbeat intervals"),
            this, 2 * interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The first IDENTIFY restarts the heartbeat timer with the negotiated interval.</summary>
    private void RearmHeartbeats()
    {
        if (_heartbeatInterval is { } interval)
        {
            _heartbeatTimer?.Change(interval, interval);
            _readDeadline?.Change(2 * interval, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _heartbeatTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _readDeadline?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Any bytes count as liveness (clients answer heartbeats with NOP).</summary>
    private void OnBytesReceived()
    {
        if (_heartbeatInterval is { } interval) _readDeadline?.Change(2 * interval, Timeout.InfiniteTimeSpan);
    }

    // 1 while a heartbeat waits for the write lock or its flush.
    private int _heartbeatWriting;

    /// <summary>nsqd gives each write a deadline of one heartbeat interval: a heartbeat still unwritten when the next
    /// one is due means the socket has not drained for an interval (the client stopped reading), so the connection
    /// goes, and with it the messages it would keep taking. Without this, heartbeats would also pile up on the lock.</summary>
    private void SendHeartbeat()
    {
        if (Interlocked.Exchange(ref _heartbeatWriting, 1) == 1)
        {
            Abort("write blocked for a heartbeat interval");
            return;
        }
        _ = SendHeartbeatAsync();
    }

    private async Task SendHeartbeatAsync()
    {
        try
        {
            await WriteAndFlushAsync(HeartbeatFrame);
        }
        catch (Exception ex)
        {
            Abort("heartbeat write failed: " + ex.Message);
        }
        finally
        {
            Volatile.Write(ref _heartbeatWriting, 0);
        }
    }

    private void StopHeartbeats()
    {
        _heartbeatTimer?.Dispose();
        _readDeadline?.Dispose();
    }
}
