using System.Text.Json;
using OrleansNsq.Gateway.Options;

using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Http;

internal sealed partial class NsqdApi
{
    /// <summary>
    /// GET /config/:opt: one option by its config name (the flag with '_' for '-'), as a bare JSON value; durations
    /// in nanoseconds. Unknown names, and options we do not have, are 400 INVALID_OPTION. PUT (changing
    /// nsqlookupd_tcp_addresses or log_level at run time) is not offered yet.
    /// </summary>
    private ValueTask<ApiResult> Config(ApiRequest request)
    {
        var o = _options.Value;
        Action<Utf8JsonWriter>? write = request.RouteValue switch
        {
            "tcp_address" => j => j.WriteStringValue(o.TcpAddress),
            "http_address" => j => j.WriteStringValue(o.HttpAddress),
            "broadcast_address" => j => j.WriteStringValue(o.BroadcastAddress),
            "nsqlookupd_tcp_addresses" => j =>
            {
                j.WriteStartArray();
                foreach (var address in o.LookupdTcpAddresses) j.WriteStringValue(address);
                j.WriteEndArray();
            },
            "data_path" => j => j.WriteStringValue(o.DataPath),
            "mem_queue_size" => j => j.WriteNumberValue(o.MemQueueSize),
            "max_msg_size" => j => j.WriteNumberValue(o.MaxMsgSize),
            "max_body_size" => j => j.WriteNumberValue(o.MaxBodySize),
            "msg_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MsgTimeout)),
            "max_msg_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MaxMsgTimeout)),
            "max_req_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MaxReqTimeout)),
            "max_heartbeat_interval" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MaxHeartbeatInterval)),
            "max_rdy_count" => j => j.WriteNumberValue(o.MaxRdyCount),
            "max_output_buffer_size" => j => j.WriteNumberValue(o.MaxOutputBufferSize),
            "max_output_buffer_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MaxOutputBufferTimeout)),
            "min_output_buffer_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.MinOutputBufferTimeout)),
            "output_buffer_timeout" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.OutputBufferTimeout)),
            "max_channel_consumers" => j => j.WriteNumberValue(o.MaxChannelConsumers),
            "max_deflate_level" => j => j.WriteNumberValue(o.MaxDeflateLevel),
            "e2e_processing_latency_percentiles" => j =>
            {
                j.WriteStartArray();
                foreach (var p in o.E2eProcessingLatencyPercentiles.Distinct().OrderDescending()) j.WriteNumberValue(p);
                j.WriteEndArray();
            },
            "e2e_processing_latency_window_time" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.E2eProcessingLatencyWindowTime)),
            "statsd_address" => j => j.WriteStringValue(o.StatsdAddress),
            "statsd_interval" => j => j.WriteNumberValue(GoDuration.Nanoseconds(o.StatsdInterval)),
            "statsd_mem_stats" => j => j.WriteBooleanValue(o.StatsdMemStats),
            "statsd_prefix" => j => j.WriteStringValue(_node.StatsdPrefix(o.StatsdPrefix)),
            "statsd_udp_packet_size" => j => j.WriteNumberValue(o.StatsdUdpPacketSize),
            "statsd_exclude_ephemeral" => j => j.WriteBooleanValue(o.StatsdExcludeEphemeral),
            _ => null,
        };
        return new(write is null ? ApiError.InvalidOption : ApiResult.Json(write, static (json, w) => w(json)));
    }
}
