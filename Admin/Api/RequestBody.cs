using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace OrleansNsq.Admin.Api;

/// <summary>
/// Reads an API body as nsqadmin does (json.NewDecoder(req.Body).Decode): the first JSON value, trailing text
/// ignored; on failure the error reads as Go's (<c>EOF</c>, <c>unexpected EOF</c>,
/// <c>invalid character 'x' looking for beginning of value</c>, <c>json: cannot unmarshal number into Go struct
/// field .action of type string</c>), which nsqadmin returns as the 400's message.
/// </summary>
internal static class RequestBody
{
    /// <summary>Larger bodies are cut here; every valid body is a few dozen bytes.</summary>
    private const int MaxBytes = 1024 * 1024;

    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type) where T : class, new()
    {
        var bytes = await ReadAllAsync(context.Request.Body, MaxBytes + 1, context.RequestAborted);
        return Decode(bytes, type);
    }

    internal static (T? Value, string? Error) Decode<T>(byte[] bytes, JsonTypeInfo<T> type) where T : class, new()
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = false });
        var start = 0;
        while (start < bytes.Length && bytes[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') start++;
        if (start == bytes.Length) return (null, "EOF");
        if ("{[\"-0123456789tfn".IndexOf((char)bytes[start]) < 0)
            return (null, $"invalid character '{(char)bytes[start]}' looking for beginning of value");
        if (BadLiteral(bytes, start) is { } literalError) return (null, literalError);
        try
        {
            // The first value only, as a Go decoder reads it.
            if (!JsonDocument.TryParseValue(ref reader, out var document)) return (null, "unexpected EOF");
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Null) return (new T(), null);
                if (root.ValueKind != JsonValueKind.Object)
                    return (null, $"json: cannot unmarshal {GoKind(root.ValueKind)} into Go value of type struct");
                foreach (var property in root.EnumerateObject())
                {
                    if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null) && IsStringField(type, property.Name))
                        return (null, $"json: cannot unmarshal {GoKind(property.Value.ValueKind)} into Go struct field .{property.Name.ToLowerInvariant()} of type string");
                }
                return (root.Deserialize(type) ?? new T(), null);
            }
        }
        catch (JsonException ex)
        {
            return (null, ex.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || ex.BytePositionInLine >= bytes.Length - start
                ? "unexpected EOF"
                : InvalidCharacter(bytes, ex));
        }
    }

    /// <summary>A body that starts as true, false or null and then is not one: Go names the first wrong character.</summary>
    private static string? BadLiteral(byte[] bytes, int start)
    {
        var literal = (char)bytes[start] switch { 't' => "true", 'f' => "false", 'n' => "null", _ => null };
        if (literal is null) return null;
        for (var i = 1; i < literal.Length; i++)
        {
            if (start + i >= bytes.Length) return "unexpected EOF";
            if (bytes[start + i] != literal[i]) return $"invalid character '{(char)bytes[start + i]}' in literal {literal} (expecting '{literal[i]}')";
        }
        return null;
    }

    private static bool IsStringField<T>(JsonTypeInfo<T> type, string name)
    {
        foreach (var property in type.Properties)
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.PropertyType == typeof(string);
        return false;
    }

    private static string InvalidCharacter(byte[] bytes, JsonException ex)
    {
        var at = (int)Math.Min(bytes.Length - 1, ex.BytePositionInLine ?? 0);
        return $"invalid character '{(char)bytes[at]}' after object key:value pair";
    }

    private static string GoKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "string",
    };

    public static async Task<byte[]> ReadAllAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while (copy.Length < limit && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - copy.Length)), cancellationToken)) > 0)
            copy.Write(buffer, 0, read);
        return copy.ToArray();
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
