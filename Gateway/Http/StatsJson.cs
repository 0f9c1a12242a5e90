using System.Text.Json;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// /stats?format=json, key for key in nsqd's order (nsqd/stats.go, client_v2.go ClientV2Stats). nsqadmin and nsq_stat
/// read it; a change of order or of null-vs-[] is visible to them.
/// </summary>
internal static class StatsJson
{
    public static void Write(Utf8JsonWriter json, StatsView view)
    {
        json.WriteStartObject();
        json.WriteString("version", NsqdOptions.Version);
        json.WriteString("health", view.Health);
        json.WriteNumber("start_time", view.StartTime.ToUnixTimeSeconds());

        json.WritePropertyName("topics");
        if (view.Topics is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStartArray();
            foreach (var topic in view.Topics) WriteTopic(json, view, topic);
            json.WriteEndArray();
        }

        if (view.Memory is { } memory) WriteMemory(json, memory);

        json.WritePropertyName("producers");
        // producers are listed only when the topic= filter found something, as nsqd returns early otherwise
        var producers = view.Topics is null ? null : view.Producers();
        if (producers is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStartArray();
            foreach (var producer in producers) WriteClient(json, view, producer);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static void WriteTopic(Utf8JsonWriter json, StatsView view, TopicStats topic)
    {
        json.WriteStartObject();
        json.WriteString("topic_name", topic.TopicName);
        json.WriteStartArray("channels");
        foreach (var channel in topic.Channels) WriteChannel(json, view, topic.TopicName, channel);
        json.WriteEndArray();
        json.WriteNumber("depth", topic.Depth);
        json.WriteNumber("backend_depth", topic.BackendDepth);
        json.WriteNumber("message_count", topic.MessageCount);
        json.WriteNumber("message_bytes", topic.MessageBytes);
        json.WriteBoolean("paused", topic.Paused);
        WriteE2e(json, topic.E2eProcessingLatency);
        json.WriteEndObject();
    }

    private static void WriteChannel(Utf8JsonWriter json, StatsView view, string topic, ChannelStats channel)
    {
        json.WriteStartObject();
        json.WriteString("channel_name", channel.ChannelName);
        json.WriteNumber("depth", channel.Depth);
        json.WriteNumber("backend_depth", channel.BackendDepth);
        json.WriteNumber("in_flight_count", channel.InFlightCount);
        json.WriteNumber("deferred_count", channel.DeferredCount);
        json.WriteNumber("message_count", channel.MessageCount);
        json.WriteNumber("requeue_count", channel.RequeueCount);
        json.WriteNumber("timeout_count", channel.TimeoutCount);
        json.WriteNumber("client_count", channel.ClientCount);
        json.WritePropertyName("clients");
        var consumers = view.ConsumersOf(topic, channel.ChannelName);
        if (consumers is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteStartArray();
            foreach (var client in consumers) WriteClient(json, view, client);
            json.WriteEndArray();
        }
        json.WriteBoolean("paused", channel.Paused);
        WriteE2e(json, channel.E2eProcessingLatency);
        json.WriteEndObject();
    }

    /// <summary>ClientV2Stats; authed/auth_identity/auth_identity_url are omitempty and we have no auth, so never
    /// written; pub_counts only when there is an entry; the tls fields are zero values unless the connection is TLS.</summary>
    private static void WriteClient(Utf8JsonWriter json, StatsView view, ClientSnapshot client)
    {
        json.WriteStartObject();
        json.WriteString("client_id", client.ClientId);
        json.WriteString("hostname", client.Hostname);
        json.WriteString("version", "V2");
        json.WriteString("remote_address", client.RemoteAddress);
        json.WriteNumber("state", client.State);
        json.WriteNumber("ready_count", client.ReadyCount);
        json.WriteNumber("in_flight_count", client.InFlightCount);
        json.WriteNumber("message_count", client.MessageCount);
        json.WriteNumber("finish_count", client.FinishCount);
        json.WriteNumber("requeue_count", client.RequeueCount);
        json.WriteNumber("connect_ts", client.ConnectTimestamp);
        json.WriteNumber("sample_rate", client.SampleRate);
        json.WriteBoolean("deflate", client.Deflate);
        json.WriteBoolean("snappy", client.Snappy);
        json.WriteString("user_agent", client.UserAgent);
        if (view.PubCountOf(client) is { } pubCount)
        {
            json.WriteStartArray("pub_counts");
            json.WriteStartObject();
            json.WriteString("topic", pubCount.Key);
            json.WriteNumber("count", pubCount.Value);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteBoolean("tls", client.Tls is not null);
        json.WriteString("tls_cipher_suite", client.Tls?.CipherSuite ?? "");
        json.WriteString("tls_version", client.Tls?.Version ?? "");
        json.WriteString("tls_negotiated_protocol", client.Tls?.NegotiatedProtocol ?? "");
        // Go's NegotiatedProtocolIsMutual is always true since Go 1.14 (ALPN only); false when not TLS.
        json.WriteBoolean("tls_negotiated_protocol_is_mutual", client.Tls is not null);
        json.WriteEndObject();
    }

    private static void WriteMemory(Utf8JsonWriter json, RuntimeMemory memory)
    {
        json.WriteStartObject("memory");
        json.WriteNumber("heap_objects", memory.HeapObjects);
        json.WriteNumber("heap_idle_bytes", memory.HeapIdleBytes);
        json.WriteNumber("heap_in_use_bytes", memory.HeapInUseBytes);
        json.WriteNumber("heap_released_bytes", memory.HeapReleasedBytes);
        json.WriteNumber("gc_pause_usec_100", memory.GcPauseUsec100);
        json.WriteNumber("gc_pause_usec_99", memory.GcPauseUsec99);
        json.WriteNumber("gc_pause_usec_95", memory.GcPauseUsec95);
        json.WriteNumber("next_gc_bytes", memory.NextGcBytes);
        json.WriteNumber("gc_total_runs", memory.GcTotalRuns);
        json.WriteEndObject();
    }

    /// <summary>nsqd's quantile result: count and one {"quantile","value"} per configured percentile (value in ns);
    /// with none configured, count 0 and null.</summary>
    private static void WriteE2e(Utf8JsonWriter json, E2eLatency? latency)
    {
        json.WriteStartObject("e2e_processing_latency");
        json.WriteNumber("count", latency?.Count ?? 0);
        if (latency is null)
        {
            json.WriteNull("percentiles");
        }
        else
        {
            json.WriteStartArray("percentiles");
            for (var i = 0; i < latency.Quantiles.Length; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("quantile", latency.Quantiles[i]);
                json.WriteNumber("value", latency.ValuesNs[i]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}
