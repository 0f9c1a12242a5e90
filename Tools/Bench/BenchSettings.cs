namespace OrleansNsq.Tools.Bench;

/// <summary>NSQ's bench_writer/bench_reader flags, one set for all bench commands.</summary>
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
    bool Json);

/// <summary>What one bench run measured.</summary>
internal sealed record BenchResult(string Kind, long Messages, TimeSpan Duration, int Size)
{
    public double MessagesPerSecond => Messages / Duration.TotalSeconds;
    public double MegabytesPerSecond => Messages * (double)Size / (1024 * 1024) / Duration.TotalSeconds;
    public double MicrosecondsPerMessage => Duration.TotalMilliseconds * 1000 / Math.Max(1, Messages);

    public string ToText() =>
        $"[bench {Kind}] duration: {Duration.TotalSeconds:F3}s - {MegabytesPerSecond:F3}mb/s - {MessagesPerSecond:F3}ops/s - {MicrosecondsPerMessage:F3}us/op";

    public string ToJson() =>
        $"{{\"kind\":\"{Kind}\",\"messages\":{Messages},\"duration_s\":{Duration.TotalSeconds:F3},\"msgs_per_s\":{MessagesPerSecond:F1},\"mb_per_s\":{MegabytesPerSecond:F3}}}";
}
