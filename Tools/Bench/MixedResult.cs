using System.Globalization;

namespace OrleansNsq.Tools.Bench;

/// <summary>What one bench mixed run measured: the writers' and the readers' rates, each over its own duration.</summary>
internal sealed record MixedResult(BenchSettings Settings, BenchResult Write, BenchResult Read)
{
    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"""
        [bench mixed] size: {Settings.Size} - batch: {Settings.BatchSize} - connections: {Settings.Concurrency} writers + {Settings.Concurrency} readers at RDY {Settings.Rdy}
        {Write.ToText()}
        {Read.ToText()}
        """);

    public string ToJson() => BenchJson.Write(writer =>
    {
        writer.WriteString("kind", "mixed");
        writer.WriteNumber("size", Settings.Size);
        writer.WriteNumber("batch_size", Settings.BatchSize);
        writer.WriteNumber("concurrency", Settings.Concurrency);
        writer.WriteNumber("rdy", Settings.Rdy);
        writer.WriteNumber("written", Write.Messages);
        writer.WriteNumber("write_duration_s", Math.Round(Write.Duration.TotalSeconds, 3));
        writer.WriteNumber("write_msgs_per_s", Math.Round(Write.MessagesPerSecond, 1));
        writer.WriteNumber("write_mb_per_s", Math.Round(Write.MegabytesPerSecond, 3));
        writer.WriteNumber("read", Read.Messages);
        writer.WriteNumber("read_duration_s", Math.Round(Read.Duration.TotalSeconds, 3));
        writer.WriteNumber("read_msgs_per_s", Math.Round(Read.MessagesPerSecond, 1));
        writer.WriteNumber("read_mb_per_s", Math.Round(Read.MegabytesPerSecond, 3));
    });
}
