using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace OrleansNsq.Client.Tests;

/// <summary>A <see cref="FakeTimeProvider"/> that tells when a timer is armed, so a test advances time only once the
/// code under test waits on it (<c>Task.Delay</c> over a TimeProvider arms a timer).</summary>
internal sealed class SignallingTime : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (bounded) until a timer due in <paramref name="dueTime"/> has been armed; others are skipped.</summary>
    public async Task TimerArmedAsync(TimeSpan dueTime, string phase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (await _armed.Reader.ReadAsync(timeout.Token) != dueTime)
            {
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"phase '{phase}': no timer of {dueTime} armed within 15 s");
        }
    }
}
