using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.Protocol;

/// <summary>
/// The IDENTIFY body as nsqd decodes it into identifyDataV2 (nsqd/client_v2.go) with Go's encoding/json: keys match
/// case-insensitively, unknown keys are ignored, a JSON null leaves the field as it is, types are strict (a string,
/// a fraction or an exponent for an int field, a number for a bool, all fail). A top-level <c>null</c> is <c>{}</c>.
/// Numbers are 0 when absent, which nsqd reads as "keep the current value" (nsqd 1.3.0: nsqd/protocol_v2.go IDENTIFY).
/// </summary>
public sealed class IdentifyRequest
{
    /// <summary>Go's encoding/json nesting limit; unknown keys may hold values this deep.</summary>
    private const int MaxDepth = 10000;

    public string ClientId { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string UserAgent { get; init; } = "";
    public bool FeatureNegotiation { get; init; }
    /// <summary>ms; −1 disables heartbeats, 0 keeps the current interval.</summary>
    public long HeartbeatIntervalMs { get; init; }
    /// <summary>bytes; −1 unbuffered, 0 keeps the current size.</summary>
    public long OutputBufferSize { get; init; }
    /// <summary>ms; −1 no timed flush, 0 keeps the current timeout.</summary>
    public long OutputBufferTimeoutMs { get; init; }
    public bool TlsV1 { get; init; }
    public bool Snappy { get; init; }
    public bool Deflate { get; init; }
    /// <summary>Never validated by nsqd: ≤ 0 means 6, capped at --max-deflate-level.</summary>
    public long DeflateLevel { get; init; }
    /// <summary>0…99 percent; a Go int32, so a larger JSON number fails to decode.</summary>
    public int SampleRate { get; init; }
    /// <summary>ms; 0 keeps the current msg timeout.</summary>
    public long MsgTimeoutMs { get; init; }

    /// <summary>False when nsqd's json.Unmarshal would fail: <c>E_BAD_BODY IDENTIFY failed to decode JSON body</c>.</summary>
    public static bool TryParse(in ReadOnlySequence<byte> json, [NotNullWhen(true)] out IdentifyRequest? request)
    {
        request = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read())
            {
                return false;
            }

            var fields = new Fields();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (!TryReadObject(ref reader, ref fields))
                {
                    return false;
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                return false;
            }

            // Anything after the top-level value throws (AllowMultipleValues is off).
            if (reader.Read())
            {
                return false;
            }

            request = fields.ToRequest();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadObject(ref Utf8JsonReader reader, ref Fields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = MatchField(ref reader);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            var ok = field switch
            {
                Field.ClientId => TryReadString(ref reader, ref fields.ClientId),
                Field.Hostname => TryReadString(ref reader, ref fields.Hostname),
                Field.UserAgent => TryReadString(ref reader, ref fields.UserAgent),
                Field.FeatureNegotiation => TryReadBool(ref reader, ref fields.FeatureNegotiation),
                Field.TlsV1 => TryReadBool(ref reader, ref fields.TlsV1),
                Field.Snappy => TryReadBool(ref reader, ref fields.Snappy),
                Field.Deflate => TryReadBool(ref reader, ref fields.Deflate),
                Field.HeartbeatInterval => TryReadInt64(ref reader, ref fields.HeartbeatIntervalMs),
                Field.OutputBufferSize => TryReadInt64(ref reader, ref fields.OutputBufferSize),
                Field.OutputBufferTimeout => TryReadInt64(ref reader, ref fields.OutputBufferTimeoutMs),
                Field.DeflateLevel => TryReadInt64(ref reader, ref fields.DeflateLevel),
                Field.MsgTimeout => TryReadInt64(ref reader, ref fields.MsgTimeoutMs),
                Field.SampleRate => TryReadInt32(ref reader, ref fields.SampleRate),
                _ => Skip(ref reader),
            };
            if (!ok)
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadString(ref Utf8JsonReader reader, ref string value)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(ReadUtf8(ref reader));
        return true;
    }

    private static bool TryReadBool(ref Utf8JsonReader reader, ref bool value)
    {
        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            return false;
        }

        value = reader.TokenType == JsonTokenType.True;
        return true;
    }

    // Go's strconv.ParseInt of the literal: "1e3" and "1000.0" fail, as TryGetInt64 does.
    private static bool TryReadInt64(ref Utf8JsonReader reader, ref long value) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);

    private static bool TryReadInt32(ref Utf8JsonReader reader, ref int value) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    private static Field MatchField(ref Utf8JsonReader reader)
    {
        var key = ReadUtf8(ref reader);
        for (var i = 0; i < KnownKeys.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(key, KnownKeys[i]))
            {
                return (Field)(i + 1);
            }
        }

        return Field.Unknown;
    }

    // The token's text after unescaping. Utf8JsonReader.GetString throws on invalid UTF-8 and on a lone \u surrogate,
    // both of which Go's decoder accepts, so strings are unescaped here and decoded leniently (U+FFFD).
    private static byte[] ReadUtf8(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        return reader.ValueIsEscaped ? Unescape(raw) : raw;
    }

    // encoding/json unquote: the reader has already checked the escape syntax. The result is never longer than the
    // escaped text (\uXXXX is 6 bytes for at most 3, a pair 12 for 4).
    private static byte[] Unescape(ReadOnlySpan<byte> raw)
    {
        var output = new byte[raw.Length];
        var written = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != (byte)'\\')
            {
                output[written++] = raw[i];
                continue;
            }

            var escape = raw[++i];
            if (escape != (byte)'u')
            {
                output[written++] = escape switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => escape, // " \ /
                };
                continue;
            }

            var unit = ParseHex4(raw.Slice(i + 1, 4));
            i += 4;
            var rune = Rune.ReplacementChar;
            if (char.IsHighSurrogate((char)unit) && i + 6 < raw.Length && raw[i + 1] == (byte)'\\' && raw[i + 2] == (byte)'u'
                && char.IsLowSurrogate((char)ParseHex4(raw.Slice(i + 3, 4))))
            {
                rune = new Rune((char)unit, (char)ParseHex4(raw.Slice(i + 3, 4)));
                i += 6;
            }
            else if (!char.IsSurrogate((char)unit))
            {
                rune = new Rune(unit);
            }

            written += rune.EncodeToUtf8(output.AsSpan(written));
        }

        return output[..written];
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex) =>
        int.Parse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);

    // In the order of Field, after Unknown.
    private static readonly byte[][] KnownKeys =
    [
        "client_id"u8.ToArray(),
        "hostname"u8.ToArray(),
        "user_agent"u8.ToArray(),
        "feature_negotiation"u8.ToArray(),
        "heartbeat_interval"u8.ToArray(),
        "output_buffer_size"u8.ToArray(),
        "output_buffer_timeout"u8.ToArray(),
        "tls_v1"u8.ToArray(),
        "snappy"u8.ToArray(),
        "deflate"u8.ToArray(),
        "deflate_level"u8.ToArray(),
        "sample_rate"u8.ToArray(),
        "msg_timeout"u8.ToArray(),
    ];

    private enum Field : byte
    {
        Unknown,
        ClientId,
        Hostname,
        UserAgent,
        FeatureNegotiation,
        HeartbeatInterval,
        OutputBufferSize,
        OutputBufferTimeout,
        TlsV1,
        Snappy,
        Deflate,
        DeflateLevel,
        SampleRate,
        MsgTimeout,
    }

    // Mutable while decoding (later duplicate keys win, as in Go), then frozen into the request.
    private struct Fields
    {
        public string ClientId;
        public string Hostname;
        public string UserAgent;
        public bool FeatureNegotiation;
        public long HeartbeatIntervalMs;
        public long OutputBufferSize;
        public long OutputBufferTimeoutMs;
        public bool TlsV1;
        public bool Snappy;
        public bool Deflate;
        public long DeflateLevel;
        public int SampleRate;
        public long MsgTimeoutMs;

        public Fields()
        {
            ClientId = "";
            Hostname = "";
            UserAgent = "";
        }

        public readonly IdentifyRequest ToRequest() => new()
        {
            ClientId = ClientId,
            Hostname = Hostname,
            UserAgent = UserAgent,
            FeatureNegotiation = FeatureNegotiation,
            HeartbeatIntervalMs = HeartbeatIntervalMs,
            OutputBufferSize = OutputBufferSize,
            OutputBufferTimeoutMs = OutputBufferTimeoutMs,
            TlsV1 = TlsV1,
            Snappy = Snappy,
            Deflate = Deflate,
            DeflateLevel = DeflateLevel,
            SampleRate = SampleRate,
            MsgTimeoutMs = MsgTimeoutMs,
        };
    }
}
