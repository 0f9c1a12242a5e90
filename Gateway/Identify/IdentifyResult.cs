using OrleansNsq.Gateway.Options;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Identify;

/// <summary>
/// The values a connection runs with after IDENTIFY (nsqd/client_v2.go Identify), as reported in the IDENTIFY
/// response and /stats.
/// </summary>
/// <param name="HeartbeatInterval">null when the client disabled heartbeats (−1); SUB is then refused.</param>
/// <param name="OutputBufferSize">bytes; 1 when unbuffered (−1).</param>
/// <param name="OutputBufferTimeout">zero when timed flushes are off (−1, or output_buffer_size −1).</param>
/// <param name="SampleRate">0…99 percent of messages delivered; 0 = all.</param>
/// <param name="DeflateLevel">negotiated level; 6 (or --max-deflate-level if lower) when deflate is not granted.</param>
public sealed record IdentifyResult(
    TimeSpan? HeartbeatInterval,
    int OutputBufferSize,
    TimeSpan OutputBufferTimeout,
    int SampleRate,
    TimeSpan MsgTimeout,
    bool FeatureNegotiation,
    string ClientId,
    string Hostname,
    string UserAgent,
    int DeflateLevel)
{
    /// <summary>nsqd/client_v2.go defaultBufferSize: the output buffer before any IDENTIFY.</summary>
    public const int DefaultOutputBufferSize = 16 * 1024;

    /// <summary>nsqd's deflate level when the client asks for none.</summary>
    public const int DefaultDeflateLevel = 6;

    /// <summary>
    /// A connection's values before any IDENTIFY (newClientV2). nsqd shows the remote IP as client_id and hostname
    /// until IDENTIFY: pass it in, or leave "".
    /// </summary>
    public static IdentifyResult Defaults(NsqdOptions options, string remoteIp = "") => new(
        options.DefaultHeartbeatInterval > TimeSpan.Zero ? options.DefaultHeartbeatInterval : null,
        DefaultOutputBufferSize,
        options.OutputBufferTimeout,
        SampleRate: 0,
        options.MsgTimeout,
        FeatureNegotiation: false,
        ClientId: remoteIp,
        Hostname: remoteIp,
        UserAgent: "",
        Math.Min(DefaultDeflateLevel, options.MaxDeflateLevel));
}
