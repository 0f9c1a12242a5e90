namespace OrleansNsq.Tools.Bench;

/// <summary>NSQ's bench_writer/bench_reader flags, one set for all bench commands.</summary>
/// <param name="RunFor">How long to run; <see cref="Timeout.InfiniteTimeSpan"/> when only <see cref="Messages"/> bounds the run.</param>
/// <param name="Messages">Stop after this many messages (0 = no count limit).</param>
/// <param name="NsqdHttpAddress">nsqd's HTTP API, <c>&lt;addr&gt;:&lt;port&gt;</c> (httppub).</param>
/// <param name="Rate">Target msgs/s over all publishers (pubsub; 0 = as fast as possible).</param>
internal sealed record BenchSettings(
    string NsqdTcpAddress,
    string Topic,
    string Channel,
    int Size,
    int BatchSize,
    int Concurrency,
    TimeSpan RunFor,
    long Messages,
    int Rate,
    int Rdy,
    bool Json,
    string NsqdHttpAddress)
{
    /// <summary>TLS, compression and AUTH on every TCP connection (the connection flags); plain by default.</summary>
    public Connection.ConnectionSettings Connection { get; init; } = OrleansNsq.Tools.Connection.ConnectionSettings.Plain;

    /// <summary>The message budget as a bound: <see cref="long.MaxValue"/> when there is none.</summary>
    public long Budget => Messages > 0 ? Messages : long.MaxValue;
}
