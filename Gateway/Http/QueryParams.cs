using System.Text;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The query string as nsqd reads it (Go's <c>url.ParseQuery</c>): parameters come from the URL only, the first value
/// of a key wins, <c>+</c> is a space, and a bad <c>%</c> escape or a <c>;</c> makes the whole query invalid
/// (nsqd then answers 400 INVALID_REQUEST, at the point where the handler first reads a parameter).
/// </summary>
internal sealed class QueryParams
{
    private static readonly Dictionary<string, string> NoValues = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _values;

    private QueryParams(Dictionary<string, string> values, bool isValid)
    {
        _values = values;
        IsValid = isValid;
    }

    /// <summary>False when Go would have returned an error: the handler answers INVALID_REQUEST.</summary>
    public bool IsValid { get; }

    /// <summary>The first value of <paramref name="key"/>; false when the key is absent (present but empty is "").</summary>
    public bool TryGet(string key, out string value)
    {
        if (_values.TryGetValue(key, out var found))
        {
            value = found;
            return true;
        }
        value = "";
        return false;
    }

    /// <summary>The first value, or "" when absent (nsqd's <c>reqParams.Get</c> with the error ignored).</summary>
    public string GetOrEmpty(string key) => TryGet(key, out var value) ? value : "";

    /// <param name="rawQuery">The raw query, with or without its leading '?'.</param>
    public static QueryParams Parse(string? rawQuery)
    {
        var query = rawQuery.AsSpan();
        if (query.StartsWith("?")) query = query[1..];
        if (query.IsEmpty) return new QueryParams(NoValues, isValid: true);

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var valid = true;
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf('&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? [] : query[(amp + 1)..];

            // Go 1.17+: a ';' is an error, not a separator; the pair is skipped and parsing goes on.
            if (pair.Contains(';')) { valid = false; continue; }
            if (pair.IsEmpty) continue;

            var eq = pair.IndexOf('=');
            var rawKey = eq < 0 ? pair : pair[..eq];
            var rawValue = eq < 0 ? [] : pair[(eq + 1)..];
            if (!TryUnescape(rawKey, out var key) || !TryUnescape(rawValue, out var value))
            {
                valid = false;
                continue;
            }
            values.TryAdd(key, value);
        }
        return new QueryParams(values, valid);
    }

    /// <summary>Go's <c>QueryUnescape</c>: <c>%XX</c> must be two hex digits, <c>+</c> becomes a space.</summary>
    private static bool TryUnescape(ReadOnlySpan<char> text, out string result)
    {
        if (text.IndexOfAny('%', '+') < 0)
        {
            result = text.ToString();
            return true;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes[length++] = (byte)' ';
            }
            else if (c == '%')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))
                {
                    result = "";
                    return false;
                }
                bytes[length++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else
            {
                length += Encoding.UTF8.GetBytes(text.Slice(i, 1), bytes.AsSpan(length));
            }
        }
        result = Encoding.UTF8.GetString(bytes, 0, length);
        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
