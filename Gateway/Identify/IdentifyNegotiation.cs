using System.Buffers;
using System.Text.Json;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Identify;

/// <summary>
/// Applies an IDENTIFY request to a connection's values in nsqd's order (heartbeat → output buffer timeout → output
/// buffer size → sample rate → msg timeout; the first failure wins) and writes the feature negotiation response.
/// </summary>
public static class IdentifyNegotiation
{
    /// <summary>nsqd/client_v2.go SetHeartbeatInterval / SetMsgTimeout lower bound, in ms.</summary>
    private const long MinIntervalMs = 1000;

    /// <summary>SetOutputBuffer lower bound, in bytes.</summary>
    private const long MinOutputBufferSize = 64;

    /// <summary>SetSampleRate upper bound, in percent.</summary>
    private const int MaxSampleRate = 99;

    /// <summary>First IDENTIFY of a connection: values absent (0) fall back to nsqd's defaults.</summary>
    public static NsqError? Validate(IdentifyRequest request, NsqdOptions options, out IdentifyResult result) =>
        Validate(request, options, IdentifyResult.Defaults(options), out result);

    /// <summary>
    /// A repeated IDENTIFY: values absent (0) keep <paramref name="current"/>, as nsqd's setters "do nothing" on 0.
    /// On error <paramref name="result"/> is <paramref name="current"/> unchanged (the error is fatal anyway).
    /// </summary>
    public static NsqError? Validate(IdentifyRequest request, NsqdOptions options, IdentifyResult current, out IdentifyResult result)
    {
        result = current;

        var heartbeat = current.HeartbeatInterval;
        switch (request.HeartbeatIntervalMs)
        {
            case -1:
                heartbeat = null;
                break;
            case 0:
                break;
            case var ms when ms >= MinIntervalMs && ms <= Milliseconds(options.MaxHeartbeatInterval):
                heartbeat = TimeSpan.FromMilliseconds(ms);
                break;
            default:
                return NsqError.IdentifyHeartbeatIntervalInvalid(request.HeartbeatIntervalMs);
        }

        var outputBufferTimeout = current.OutputBufferTimeout;
        switch (request.OutputBufferTimeoutMs)
        {
            case -1:
                outputBufferTimeout = TimeSpan.Zero;
                break;
            case 0:
                break;
            case var ms when ms >= Milliseconds(options.MinOutputBufferTimeout) && ms <= Milliseconds(options.MaxOutputBufferTimeout):
                outputBufferTimeout = TimeSpan.FromMilliseconds(ms);
                break;
            default:
                return NsqError.IdentifyOutputBufferTimeoutInvalid(request.OutputBufferTimeoutMs);
        }

        var outputBufferSize = current.OutputBufferSize;
        switch (request.OutputBufferSize)
        {
            case -1:
                // Unbuffered: every write goes straight to the socket, so there is nothing to flush on a timer.
                outputBufferSize = 1;
                outputBufferTimeout = TimeSpan.Zero;
                break;
            case 0:
                break;
            case var size when size >= MinOutputBufferSize && size <= options.MaxOutputBufferSize:
                outputBufferSize = (int)size;
                break;
            default:
                return NsqError.IdentifyOutputBufferSizeInvalid(request.OutputBufferSize);
        }

        if (request.SampleRate is < 0 or > MaxSampleRate)
        {
            return NsqError.IdentifySampleRateInvalid(request.SampleRate);
        }

        var msgTimeout = current.MsgTimeout;
        switch (request.MsgTimeoutMs)
        {
            case 0:
                break;
            case var ms when ms >= MinIntervalMs && ms <= Milliseconds(options.MaxMsgTimeout):
                msgTimeout = TimeSpan.FromMilliseconds(ms);
                break;
            default:
                return NsqError.IdentifyMsgTimeoutInvalid(request.MsgTimeoutMs);
        }

        result = new IdentifyResult(
            heartbeat,
            outputBufferSize,
            outputBufferTimeout,
            request.SampleRate,
            msgTimeout,
            request.FeatureNegotiation,
            request.ClientId,
            request.Hostname,
            request.UserAgent,
            NegotiateDeflateLevel(request, options));
        return null;
    }

    /// <summary>
    /// The feature negotiation response: exactly nsqd's 13 keys in nsqd's order (nsqd 1.3.0: nsqd/protocol_v2.go IDENTIFY).
    /// <paramref name="upgrades"/>: what the connection upgrades to after this response; <paramref name="authRequired"/>:
    /// --auth-http-address is set (AUTH comes before SUB and the publishes).
    /// Writes the JSON only; the caller frames it with <see cref="FrameWriter.WriteResponse"/>.
    /// </summary>
    public static void WriteResponse(IBufferWriter<byte> output, IdentifyResult result, NsqdOptions options, IdentifyUpgrades upgrades = default,
        bool authRequired = false)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("max_rdy_count"u8, options.MaxRdyCount);
        json.WriteString("version"u8, NsqdOptions.Version);
        json.WriteNumber("max_msg_timeout"u8, Milliseconds(options.MaxMsgTimeout));
        json.WriteNumber("msg_timeout"u8, Milliseconds(result.MsgTimeout));
        json.WriteBoolean("tls_v1"u8, upgrades.TlsV1);
        json.WriteBoolean("deflate"u8, upgrades.Deflate);
        json.WriteNumber("deflate_level"u8, result.DeflateLevel);
        json.WriteNumber("max_deflate_level"u8, options.MaxDeflateLevel);
        json.WriteBoolean("snappy"u8, upgrades.Snappy);
        json.WriteNumber("sample_rate"u8, result.SampleRate);
        json.WriteBoolean("auth_required"u8, authRequired);
        json.WriteNumber("output_buffer_size"u8, result.OutputBufferSize);
        json.WriteNumber("output_buffer_timeout"u8, Milliseconds(result.OutputBufferTimeout));
        json.WriteEndObject();
    }

    // nsqd/protocol_v2.go IDENTIFY: the requested level only counts when deflate is granted; it is never validated,
    // just capped at --max-deflate-level.
    private static int NegotiateDeflateLevel(IdentifyRequest request, NsqdOptions options)
    {
        var level = (long)IdentifyResult.DefaultDeflateLevel;
        if (options.Deflate && request.Deflate && request.DeflateLevel > 0)
        {
            level = request.DeflateLevel;
        }

        return (int)Math.Min(level, options.MaxDeflateLevel);
    }

    /// <summary>
    /// What a feature-negotiating IDENTIFY upgrades the connection to, in nsqd's order: TLS when the client asks and
    /// <paramref name="tlsOffered"/> (a certificate, and not TLS already), then snappy or deflate when the client asks and
    /// the flag allows. Both compressions at once is nsqd's fatal error, returned before any answer.
    /// </summary>
    public static NsqError? Upgrades(IdentifyRequest request, NsqdOptions options, bool tlsOffered, out IdentifyUpgrades upgrades)
    {
        upgrades = new IdentifyUpgrades(request.TlsV1 && tlsOffered, options.Snappy && request.Snappy, options.Deflate && request.Deflate);
        return upgrades is { Snappy: true, Deflate: true } ? NsqError.IdentifyCannotEnableBothCompressions : null;
    }

    // Go's Duration / time.Millisecond: whole milliseconds, truncated.
    private static long Milliseconds(TimeSpan duration) => duration.Ticks / TimeSpan.TicksPerMillisecond;
}

/// <summary>The layers a connection takes on after its IDENTIFY answer, TLS first.</summary>
public readonly record struct IdentifyUpgrades(bool TlsV1, bool Snappy, bool Deflate)
{
    public bool Any => TlsV1 || Snappy || Deflate;
}
