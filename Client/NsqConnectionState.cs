namespace OrleansNsq.Client;

/// <summary>What happened to a connection to one nsqd (see <see cref="NsqConnectionStateChangedEventArgs"/>).</summary>
public enum NsqConnectionState
{
    /// <summary>Connected and ready: IDENTIFY (and TLS, compression, AUTH) done; for a consumer, subscribed too.</summary>
    Connected,

    /// <summary>An open connection closed: lost (the exception says why) or closed by stop or dispose (no exception).</summary>
    Disconnected,

    /// <summary>The nsqd will be dialled again: after <see cref="NsqConnectionStateChangedEventArgs.Delay"/>, for the
    /// <see cref="NsqConnectionStateChangedEventArgs.Attempt"/>th time since it was last connected.</summary>
    Reconnecting,
}

/// <summary>A connection to one nsqd changed state (<c>ConnectionStateChanged</c> on the consumer and the producer).</summary>
public sealed class NsqConnectionStateChangedEventArgs(
    string nsqdAddress, NsqConnectionState state, Exception? exception, int attempt = 0, TimeSpan delay = default) : EventArgs
{
    /// <summary>The nsqd, <c>host:port</c>.</summary>
    public string NsqdAddress { get; } = nsqdAddress;

    public NsqConnectionState State { get; } = state;

    /// <summary>Why the connection closed or the last dial failed; null for <see cref="NsqConnectionState.Connected"/>
    /// and for a close asked for by stop or dispose.</summary>
    public Exception? Exception { get; } = exception;

    /// <summary>For <see cref="NsqConnectionState.Reconnecting"/>: 1 for the first dial after a loss or a refused
    /// first dial, counting up while dials fail. 0 otherwise.</summary>
    public int Attempt { get; } = attempt;

    /// <summary>For <see cref="NsqConnectionState.Reconnecting"/>: the wait before the dial (zero for the producer,
    /// which dials when a publish needs the connection).</summary>
    public TimeSpan Delay { get; } = delay;

    public override string ToString() =>
        $"{NsqdAddress} {State}{(State == NsqConnectionState.Reconnecting ? $" #{Attempt} in {Delay}" : "")}{(Exception is null ? "" : ": " + Exception.Message)}";
}
