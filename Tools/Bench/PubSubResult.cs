using System.Globalization;

namespace OrleansNsq.Tools.Bench;

/// <summary>What one bench pubsub run measured: both rates and the publish → delivery latency of this run's messages.</summary>
internal sealed record PubSubResult(
    BenchSettings Settings,
    long Published,
    TimeSpan PublishDuration,
    long Consumed,
    TimeSpan ConsumeDuration,
    long Foreign,
    LatencyHistogram Latency)
{
    public double PublishedPerSecond => Published / PublishDuration.TotalSeconds;
    public double ConsumedPerSecond => Consumed / ConsumeDuration.TotalSeconds;
    private double Megabytes(double messagesPerSecond) => messagesPerSecond * Settings.Size / (1024 * 1024);

    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"""
        [bench pubsub] target rate: {(Settings.Rate > 0 ? Settings.Rate.ToString(CultureInfo.InvariantCulture) + " msgs/s" : "as fast as possible")} - size: {Settings.Size} - batch: {Settings.BatchSize} - connections: {Settings.Concurrency} pub + {Settings.Concurrency} sub
        [bench pubsub] published: {Published} in {PublishDuration.TotalSeconds:F3}s - {PublishedPerSecond:F3}ops/s - {Megabytes(PublishedPerSecond):F3}mb/s
        [bench pubsub] consumed:  {Consumed} in {ConsumeDuration.TotalSeconds:F3}s - {ConsumedPerSecond:F3}ops/s - {Megabytes(ConsumedPerSecond):F3}mb/s{(Foreign > 0 ? $" ({Foreign} older messages finished, not counted)" : "")}
        [bench pubsub] latency: {Latency.ToText()}
        """);

    public string ToJson() => BenchJson.Write(writer =>
    {
        writer.WriteString("kind", "pubsub");
        writer.WriteNumber("size", Settings.Size);
        writer.WriteNumber("batch_size", Settings.BatchSize);
        writer.WriteNumber("concurrency", Settings.Concurrency);
        writer.WriteNumber("target_rate", Settings.Rate);
        writer.WriteNumber("published", Published);
        writer.WriteNumber("publish_duration_s", Math.Round(PublishDuration.TotalSeconds, 3));
        writer.WriteNumber("pub_msgs_per_s", Math.Round(PublishedPerSecond, 1));
        writer.WriteNumber("pub_mb_per_s", Math.Round(Megabytes(PublishedPerSecond), 3));
        writer.WriteNumber("consumed", Consumed);
        writer.WriteNumber("consume_duration_s", Math.Round(ConsumeDuration.TotalSeconds, 3));
        writer.WriteNumber("sub_msgs_per_s", Math.Round(ConsumedPerSecond, 1));
        writer.WriteNumber("sub_mb_per_s", Math.Round(Megabytes(ConsumedPerSecond), 3));
        writer.WriteNumber("foreign", Foreign);
        Latency.WriteJson(writer, "latency_us");
    });
}
