namespace OrleansNsq.Gateway.Http;

/// <summary>
/// NSQ's name rule (internal/protocol/names.go): 1–64 bytes of <c>[.a-zA-Z0-9_-]</c>, optionally ending in
/// <c>#ephemeral</c>, which counts towards the 64. Same rule for topics and channels.
/// </summary>
internal static class HttpNameRules
{
    private const int MaxLength = 64;
    private const string EphemeralSuffix = "#ephemeral";

    public static bool IsValid(string name)
    {
        if (name.Length is < 1 or > MaxLength) return false;
        var body = name.AsSpan();
        if (body.EndsWith(EphemeralSuffix, StringComparison.Ordinal)) body = body[..^EphemeralSuffix.Length];
        if (body.IsEmpty) return false;
        foreach (var c in body)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        }
        return true;
    }
}
