using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// nsqd's e2e_processing_latency merged over nodes (quantile.E2eProcessingLatencyAggregate): each percentile is a
/// map with quantile, value and, once read, min, max, average and count; <see cref="Add"/> merges by quantile.
/// </summary>
public sealed class E2eLatencyAggregate
{
    [JsonPropertyName("count")] public int Count { get; set; }
    [JsonPropertyName("percentiles")] public List<Dictionary<string, double>>? Percentiles { get; set; }
    [JsonPropertyName("topic")] public string Topic { get; set; } = "";
    [JsonPropertyName("channel")] public string Channel { get; set; } = "";
    [JsonPropertyName("host")] public string Addr { get; set; } = "";

    /// <summary>What the aggregate's UnmarshalJSON adds to a node's figures: min = max = average = value.</summary>
    public void CompleteAsRead()
    {
        foreach (var p in Percentiles ?? [])
        {
            var value = p.GetValueOrDefault("value");
            p["min"] = value;
            p["max"] = value;
            p["average"] = value;
            p["count"] = Count;
        }
    }

    /// <summary>The aggregate's Add, as nsqadmin does it (min keeps its quirk: the smaller of the two maxima).</summary>
    public void Add(E2eLatencyAggregate? other)
    {
        Addr = "*";
        if (other is null) return;
        Count += other.Count;
        foreach (var value in other.Percentiles ?? [])
        {
            var p = Percentiles ??= [];
            var quantile = value.GetValueOrDefault("quantile");
            var target = p.Find(v => v.GetValueOrDefault("quantile") == quantile);
            if (target is null)
            {
                target = new Dictionary<string, double> { ["quantile"] = quantile };
                p.Add(target);
            }
            var max = Math.Max(value.GetValueOrDefault("max"), target.GetValueOrDefault("max"));
            target["min"] = Math.Min(value.GetValueOrDefault("max"), target.GetValueOrDefault("max"));
            target["max"] = max;
            target["count"] = target.GetValueOrDefault("count") + value.GetValueOrDefault("count");
            if (target["count"] == 0)
            {
                target["average"] = 0;
                continue;
            }
            var delta = value.GetValueOrDefault("average") - target.GetValueOrDefault("average");
            target["average"] = target.GetValueOrDefault("average") + delta * value.GetValueOrDefault("count") / target["count"];
        }
        // nsqadmin then sorts by a "percentile" key no map has: the order stays as merged.
    }
}
