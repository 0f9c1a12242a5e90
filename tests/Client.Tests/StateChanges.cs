using System.Threading.Channels;

namespace OrleansNsq.Client.Tests;

/// <summary>Collects <c>ConnectionStateChanged</c> events in order; <see cref="NextAsync"/> waits (bounded) for the next.</summary>
internal sealed class StateChanges
{
    private readonly Channel<NsqConnectionStateChangedEventArgs> _changes = Channel.CreateUnbounded<NsqConnectionStateChangedEventArgs>();

    public void On(object? sender, NsqConnectionStateChangedEventArgs change) => _changes.Writer.TryWrite(change);

    public async Task<NsqConnectionStateChangedEventArgs> NextAsync(string phase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            return await _changes.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"phase '{phase}': no connection state change within 15 s");
        }
    }

    /// <summary>The next change, which must be <paramref name="state"/> of <paramref name="address"/>.</summary>
    public async Task<NsqConnectionStateChangedEventArgs> ExpectAsync(string address, NsqConnectionState state, string phase)
    {
        var change = await NextAsync(phase);
        Assert.True(change.NsqdAddress == address && change.State == state, $"phase '{phase}': expected {address} {state}, got {change}");
        return change;
    }

    public bool TryNext(out NsqConnectionStateChangedEventArgs? change) => _changes.Reader.TryRead(out change);
}
