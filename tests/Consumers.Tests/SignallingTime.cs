using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace OrleansNsq.Consumers.Tests;

/// <summary>A <see cref="FakeTimeProvider"/> that says when a timer is armed, so a test advances time only once the
/// code under test waits on it (Task.Delay over a TimeProvider arms a timer).</summary>
internal sealed class SignallingTime() : FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000))
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer due in <paramref name="dueTime"/> has been armed.</summary>
    public async Task TimerArmedAsync(TimeSpan dueTime, string phase)
    {
        while (await ScriptedChannel.Within(_armed.Reader.ReadAsync().AsTask(), phase) != dueTime)
        {
        }
    }
}
