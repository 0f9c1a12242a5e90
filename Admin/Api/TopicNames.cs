namespace OrleansNsq.Admin.Api;

/// <summary>nsqd's protocol.IsValidTopicName/IsValidChannelName: 1–64 of <c>[.a-zA-Z0-9_-]</c>, optionally ending
/// in <c>#ephemeral</c>.</summary>
internal static class TopicNames
{
    private const int MaxLength = 64;
    private const string EphemeralSuffix = "#ephemeral";

    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is < 1 or > MaxLength) return false;
        var body = name.AsSpan();
        if (body.EndsWith(EphemeralSuffix, StringComparison.Ordinal)) body = body[..^EphemeralSuffix.Length];
        if (body.IsEmpty) return false;
        foreach (var c in body)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }
}
