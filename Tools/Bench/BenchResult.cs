using System.Text;
using System.Text.Json;

namespace OrleansNsq.Tools.Bench;

/// <summary>What one bench write or read run measured, printed as bench_writer/bench_reader print it.</summary>
internal sealed record BenchResult(string Kind, long Messages, TimeSpan Duration, int Size)
{
    public double MessagesPerSecond => Messages / Duration.TotalSeconds;
    public double MegabytesPerSecond => Messages * (double)Size / (1024 * 1024) / Duration.TotalSeconds;
    public double MicrosecondsPerMessage => Duration.TotalMilliseconds * 1000 / Math.Max(1, Messages);

    /// <summary>bench_writer's line: <c>duration: 10.001s - 38.147mb/s - 200000.000ops/s - 5.000us/op</c>.</summary>
    public string ToText() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"[bench {Kind}] messages: {Messages} - duration: {Duration.TotalSeconds:F3}s - {MegabytesPerSecond:F3}mb/s - {MessagesPerSecond:F3}ops/s - {MicrosecondsPerMessage:F3}us/op");

    public string ToJson() => BenchJson.Write(writer =>
    {
        writer.WriteString("kind", Kind);
        writer.WriteNumber("messages", Messages);
        writer.WriteNumber("size", Size);
        writer.WriteNumber("duration_s", Math.Round(Duration.TotalSeconds, 3));
        writer.WriteNumber("msgs_per_s", Math.Round(MessagesPerSecond, 1));
        writer.WriteNumber("mb_per_s", Math.Round(MegabytesPerSecond, 3));
    });
}

/// <summary>One JSON object on one line, written with <see cref="Utf8JsonWriter"/> (no reflection).</summary>
internal static class BenchJson
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
