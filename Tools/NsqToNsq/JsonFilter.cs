using System.Globalization;
using System.Text.Json;

namespace OrleansNsq.Tools.NsqToNsq;

/// <summary>
/// nsq_to_nsq's JSON rules for each message body. With <c>--require-json-field</c> only messages that are a JSON object
/// holding that top-level field pass; with <c>--require-json-value</c> too, the field must equal it (a JSON string
/// compared as text, or a number compared as a number when the value parses as one). With <c>--whitelist-json-field</c>
/// only those fields are passed on (as a new object, keys in order as Go's encoding/json writes a map).
/// </summary>
internal sealed class JsonFilter(string? requireField, string? requireValue, IReadOnlyList<string> whitelist)
{
    private readonly double? _requiredNumber =
        double.TryParse(requireValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>What to do with one message.</summary>
    public enum Verdict
    {
        /// <summary>Relay it (the body may have been rewritten by the whitelist).</summary>
        Pass,

        /// <summary>Drop it: FIN without relaying (not JSON, or the field does not match).</summary>
        Drop,

        /// <summary>The required field is missing while a value is required: REQ with backoff, as nsq_to_nsq does.</summary>
        Requeue,
    }

    public bool IsActive => !string.IsNullOrEmpty(requireField) || whitelist.Count > 0;

    public Verdict Apply(ReadOnlyMemory<byte> body, out ReadOnlyMemory<byte> output)
    {
        output = body;
        if (!IsActive) return Verdict.Pass;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return Verdict.Drop;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Verdict.Drop;
            if (!string.IsNullOrEmpty(requireField))
            {
                if (!root.TryGetProperty(requireField, out var value))
                    return string.IsNullOrEmpty(requireValue) ? Verdict.Drop : Verdict.Requeue;
                if (!string.IsNullOrEmpty(requireValue) && !Matches(value)) return Verdict.Drop;
            }
            if (whitelist.Count > 0) output = Whitelisted(root);
            return Verdict.Pass;
        }
    }

    private bool Matches(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() == requireValue,
        JsonValueKind.Number => _requiredNumber is { } number && value.GetDouble() == number,
        _ => false,
    };

    private byte[] Whitelisted(JsonElement root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var key in whitelist.Distinct().Order(StringComparer.Ordinal))
            {
                if (!root.TryGetProperty(key, out var value)) continue;
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
