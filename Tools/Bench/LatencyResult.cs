using System.Globalization;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// What one bench syncpub, rdy1 or httppub run measured: how many operations in how long, and one latency
/// distribution (a PUB's round trip, the FIN → next message gap, an HTTP request's round trip).
/// </summary>
/// <param name="Unit">What is counted: <c>messages</c> or <c>requests</c> (also the JSON field).</param>
/// <param name="LatencyName">The latency's JSON field (<c>round_trip_us</c>…) and, without <c>_us</c>, its text label.</param>
/// <param name="Failed">Operations that got an answer other than success (httppub: non-200); null where there is no such answer.</param>
internal sealed record LatencyResult(string Kind, string Unit, long Count, TimeSpan Duration, int Size, int Concurrency,
    string LatencyName, LatencyHistogram Latency, long? Failed = null)
{
    public double PerSecond => Count / Duration.TotalSeconds;
    private string RateField => Unit == "requests" ? "req_per_s" : "msgs_per_s";

    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"""
        [bench {Kind}] {Unit}: {Count}{(Failed is { } failed ? $" - non-200: {failed}" : "")} - duration: {Duration.TotalSeconds:F3}s - {PerSecond:F3}{(Unit == "requests" ? "req" : "ops")}/s - size: {Size} - connections: {Concurrency}
        [bench {Kind}] {LatencyName[..^3].Replace('_', ' ')}: {Latency.ToText()}
        """);

    public string ToJson() => BenchJson.Write(writer =>
    {
        writer.WriteString("kind", Kind);
        writer.WriteNumber("size", Size);
        writer.WriteNumber("concurrency", Concurrency);
        writer.WriteNumber(Unit, Count);
        if (Failed is { } failed) writer.WriteNumber("non_200", failed);
        writer.WriteNumber("duration_s", Math.Round(Duration.TotalSeconds, 3));
        writer.WriteNumber(RateField, Math.Round(PerSecond, 1));
        Latency.WriteJson(writer, LatencyName);
    });
}
