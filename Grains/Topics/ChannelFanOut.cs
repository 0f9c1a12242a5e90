using Microsoft.Extensions.Logging;
using OrleansNsq.Messages;

namespace OrleansNsq.Grains.Topics;

/// <summary>
/// One channel's side of its topic's fan-out (nsqd's topic messagePump): the segments the topic has accepted, sent to
/// the channel in id order with at most one call out at a time. What arrives while a call is out joins the next one,
/// so the calls grow with load instead of multiplying. A publish is answered once its topic has accepted the batch,
/// not when every channel has it: a channel is a thread hand-off away, and nsqd answers once the message is in the
/// topic's memory queue too.
/// Runs on its topic grain's scheduler (single-threaded), so it needs no lock.
/// A failed call is tried again, in order, until it lands or the channel is deleted; the channel ignores a segment it
/// already has, so a call that timed out after landing does not deliver twice.
/// </summary>
internal sealed class ChannelFanOut(string topic, string channel, IChannelFeedGrain grain, TimeProvider time, ILogger logger)
{
    /// <summary>Segments waiting for the channel (each ≤ 64 KB from the gateway) beyond which publishers wait.</summary>
    public const int MaxPendingSegments = 256;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly List<MessageSegment> _pending = [];
    private MessageSegment[] _sending = [];
    private bool _running;
    private bool _stopped;
    private TaskCompletionSource? _progress;
    // Segments added and segments the channel acknowledged, for WhenCaughtUpAsync.
    private long _added;
    private long _delivered;

    public string Channel => channel;
    public IChannelFeedGrain Grain => grain;

    /// <summary>Segments not yet acknowledged by the channel, the call under way included.</summary>
    public int PendingSegments => _pending.Count + _sending.Length;

    /// <summary>Messages not yet acknowledged by the channel (the topic counts them in its depth, as nsqd counts
    /// what its pump has not moved yet).</summary>
    public long PendingMessages
    {
        get
        {
            long count = 0;
            foreach (var segment in _sending) count += segment.Count;
            foreach (var segment in _pending) count += segment.Count;
            return count;
        }
    }

    public bool HasRoom => PendingSegments < MaxPendingSegments;

    public void Add(MessageSegment segment)
    {
        if (_stopped) return;
        _pending.Add(segment);
        _added++;
        if (!_running) _ = RunAsync();
    }

    public void AddRange(MessageSegment[] segments)
    {
        if (_stopped || segments.Length == 0) return;
        _pending.AddRange(segments);
        _added += segments.Length;
        if (!_running) _ = RunAsync();
    }

    /// <summary>Completes when the channel has everything added before the call (or the fan-out stopped), even
    /// while publishes keep adding more.</summary>
    public async Task WhenCaughtUpAsync()
    {
        var target = _added;
        while (!_stopped && _delivered < target) await WhenProgressAsync();
    }

    /// <summary>Completes when a call to the channel has ended (the pending segments shrank) or the fan-out stopped:
    /// a publisher waiting for <see cref="HasRoom"/> looks again then.</summary>
    public Task WhenProgressAsync()
    {
        if (!_running) return Task.CompletedTask;
        _progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _progress.Task;
    }

    /// <summary>The channel was deleted: drop what it has not taken.</summary>
    public void Stop()
    {
        _stopped = true;
        _pending.Clear();
        Signal(ref _progress);
    }

    private static void Signal(ref TaskCompletionSource? waiters)
    {
        var signal = waiters;
        waiters = null;
        signal?.TrySetResult();
    }

    private async Task RunAsync()
    {
        _running = true;
        try
        {
            while (!_stopped && _pending.Count > 0)
            {
                _sending = [.. _pending];
                _pending.Clear();
                try
                {
                    await grain.EnqueueAsync(new(_sending));
                    _delivered += _sending.Length;
                    _sending = [];
                    Signal(ref _progress);
                }
                catch (Exception ex)
                {
                    if (_stopped) break;
                    TopicLog.FanOutFailed(logger, topic, channel, _sending.Length, ex);
                    // Put them back in front, in order, and try again after a pause.
                    _pending.InsertRange(0, _sending);
                    _sending = [];
                    await Task.Delay(RetryDelay, time);
                }
            }
        }
        finally
        {
            _sending = [];
            _running = false;
            Signal(ref _progress);
        }
    }
}
