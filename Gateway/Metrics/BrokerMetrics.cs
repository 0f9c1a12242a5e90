using System.Diagnostics.Metrics;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Metrics;

/// <summary>
/// The broker's one <see cref="Meter"/> (<see cref="MeterName"/>): every counter of nsqd's /stats per topic and per
/// channel, as observable instruments read from <see cref="StatsSampler"/>'s last reading, tagged
/// <c>nsq.topic</c> and <c>nsq.channel</c>. Counters are monotonic totals (Prometheus adds <c>_total</c>); depths,
/// in-flight, deferred and clients are gauges. docs/METRICS.md maps each to its /stats field.
/// </summary>
internal sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "OrleansNsq";

    private readonly Meter _meter;

    public BrokerMetrics(IMeterFactory meters, StatsSampler sampler)
    {
        _meter = meters.Create(MeterName);
        Func<TopicStats[]> latest = () => sampler.Latest;

        _meter.CreateObservableCounter("nsq.topic.messages", () => PerTopic(latest(), t => t.MessageCount), "{message}", "Messages published to the topic (/stats message_count)");
        _meter.CreateObservableCounter("nsq.topic.message.size", () => PerTopic(latest(), t => t.MessageBytes), "By", "Sum of the published message bodies (/stats message_bytes)");
        _meter.CreateObservableGauge("nsq.topic.depth", () => PerTopic(latest(), t => t.Depth), "{message}", "Messages held by the topic itself (/stats depth)");
        _meter.CreateObservableGauge("nsq.topic.backend_depth", () => PerTopic(latest(), t => t.BackendDepth), "{message}", "The part of the topic's depth held only in storage (/stats backend_depth)");
        _meter.CreateObservableGauge("nsq.topic.paused", () => PerTopic(latest(), t => t.Paused ? 1 : 0), "{topic}", "1 while the topic is paused");

        _meter.CreateObservableCounter("nsq.channel.messages", () => PerChannel(latest(), c => c.MessageCount), "{message}", "Messages the channel received (/stats message_count)");
        _meter.CreateObservableGauge("nsq.channel.depth", () => PerChannel(latest(), c => c.Depth), "{message}", "Messages ready in the channel (/stats depth)");
        _meter.CreateObservableGauge("nsq.channel.backend_depth", () => PerChannel(latest(), c => c.BackendDepth), "{message}", "The part of the channel's depth held only in storage (/stats backend_depth)");
        _meter.CreateObservableGauge("nsq.channel.in_flight", () => PerChannel(latest(), c => c.InFlightCount), "{message}", "Messages delivered and not yet finished (/stats in_flight_count)");
        _meter.CreateObservableGauge("nsq.channel.deferred", () => PerChannel(latest(), c => c.DeferredCount), "{message}", "Messages waiting for their defer or requeue delay (/stats deferred_count)");
        _meter.CreateObservableCounter("nsq.channel.requeues", () => PerChannel(latest(), c => c.RequeueCount), "{message}", "REQs (/stats requeue_count)");
        _meter.CreateObservableCounter("nsq.channel.timeouts", () => PerChannel(latest(), c => c.TimeoutCount), "{message}", "Deliveries whose msg_timeout passed (/stats timeout_count)");
        _meter.CreateObservableGauge("nsq.channel.clients", () => PerChannel(latest(), c => c.ClientCount), "{client}", "Consumers of the channel (/stats client_count)");
        _meter.CreateObservableGauge("nsq.topic.e2e_processing_latency", () => TopicLatency(latest()), "s", "Publish-to-FIN latency at each --e2e-processing-latency-percentile over the window (/stats e2e_processing_latency)");
        _meter.CreateObservableGauge("nsq.channel.e2e_processing_latency", () => ChannelLatency(latest()), "s", "Publish-to-FIN latency at each --e2e-processing-latency-percentile over the window (/stats e2e_processing_latency)");
        _meter.CreateObservableGauge("nsq.channel.paused", () => PerChannel(latest(), c => c.Paused ? 1 : 0), "{channel}", "1 while the channel is paused");
    }

    private static IEnumerable<Measurement<long>> PerTopic(TopicStats[] topics, Func<TopicStats, long> value)
    {
        foreach (var topic in topics)
            yield return new Measurement<long>(value(topic), Tag("nsq.topic", topic.TopicName));
    }

    private static IEnumerable<Measurement<long>> PerChannel(TopicStats[] topics, Func<ChannelStats, long> value)
    {
        foreach (var topic in topics)
        {
            foreach (var channel in topic.Channels)
            {
                yield return new Measurement<long>(value(channel),
                    Tag("nsq.topic", topic.TopicName),
                    Tag("nsq.channel", channel.ChannelName));
            }
        }
    }

    private static IEnumerable<Measurement<double>> TopicLatency(TopicStats[] topics)
    {
        foreach (var topic in topics)
        {
            foreach (var measurement in Quantiles(topic.E2eProcessingLatency, Tag("nsq.topic", topic.TopicName)))
                yield return measurement;
        }
    }

    private static IEnumerable<Measurement<double>> ChannelLatency(TopicStats[] topics)
    {
        foreach (var topic in topics)
        {
            foreach (var channel in topic.Channels)
            {
                foreach (var measurement in Quantiles(channel.E2eProcessingLatency,
                    Tag("nsq.topic", topic.TopicName), Tag("nsq.channel", channel.ChannelName)))
                    yield return measurement;
            }
        }
    }

    /// <summary>One gauge value per configured quantile, in seconds, tagged <c>quantile</c>; none without percentiles.</summary>
    private static IEnumerable<Measurement<double>> Quantiles(E2eLatency? latency, params KeyValuePair<string, object?>[] tags)
    {
        if (latency is null) yield break;
        for (var i = 0; i < latency.Quantiles.Length; i++)
            yield return new Measurement<double>(latency.ValuesNs[i] / 1e9, [.. tags, Tag("quantile", latency.Quantiles[i])]);
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    public void Dispose() => _meter.Dispose();
}
