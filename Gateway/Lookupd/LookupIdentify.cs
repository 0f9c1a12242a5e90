using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// IDENTIFY's JSON body as nsqlookupd decodes it into PeerInfo (nsqlookupd/registration_db.go): Go's encoding/json
/// matches keys case-insensitively, ignores unknown ones, and leaves a field at zero when its value is null (hence
/// the nullable numbers); a value of the wrong type is an error. <c>remote_address</c> is overwritten by the server.
/// </summary>
internal sealed class LookupIdentify
{
    [JsonPropertyName("broadcast_address")] public string? BroadcastAddress { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
    [JsonPropertyName("tcp_port")] public int? TcpPort { get; set; }
    [JsonPropertyName("http_port")] public int? HttpPort { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }

    /// <summary>Decodes the body; the error is "failed to decode JSON body" or "missing fields" (all four of
    /// broadcast_address, tcp_port, http_port and version must be non-zero), in nsqlookupd's order.</summary>
    public static LookupIdentify? Decode(byte[] body, out LookupError? error)
    {
        LookupIdentify? identify;
        try
        {
            identify = JsonSerializer.Deserialize(body, LookupJsonContext.Default.LookupIdentify);
        }
        catch (JsonException)
        {
            error = LookupError.Json;
            return null;
        }
        identify ??= new LookupIdentify(); // JSON null: Go leaves the struct as it was
        if (string.IsNullOrEmpty(identify.BroadcastAddress) || (identify.TcpPort ?? 0) == 0 || (identify.HttpPort ?? 0) == 0
            || string.IsNullOrEmpty(identify.Version))
        {
            error = LookupError.MissingFields;
            return null;
        }
        error = null;
        return identify;
    }
}

/// <summary>nsqlookupd's IDENTIFY reply: Go marshals a map, so the keys come sorted.</summary>
internal sealed record LookupIdentifyReply(
    [property: JsonPropertyName("broadcast_address")] string BroadcastAddress,
    [property: JsonPropertyName("hostname")] string Hostname,
    [property: JsonPropertyName("http_port")] int HttpPort,
    [property: JsonPropertyName("tcp_port")] int TcpPort,
    [property: JsonPropertyName("version")] string Version);

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(LookupIdentify))]
[JsonSerializable(typeof(LookupIdentifyReply))]
internal sealed partial class LookupJsonContext : JsonSerializerContext;
