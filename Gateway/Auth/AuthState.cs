using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansNsq.Gateway.Auth;

/// <summary>
/// What an auth server granted one connection (nsqd's internal/auth State): authorizations, each a topic regex, channel
/// regexes and permissions (<c>subscribe</c>, <c>publish</c>), valid for <c>ttl</c> seconds, and the identity it
/// reported. Regexes match anywhere in the name, as Go's MatchString does; they run without backtracking, in linear
/// time as Go's RE2 does.
/// </summary>
public sealed class AuthState
{
    private AuthState(IReadOnlyList<Authorization> authorizations, string identity, string identityUrl, DateTimeOffset expires)
    {
        Authorizations = authorizations;
        Identity = identity;
        IdentityUrl = identityUrl;
        Expires = expires;
    }

    public IReadOnlyList<Authorization> Authorizations { get; }
    public string Identity { get; }
    public string IdentityUrl { get; }
    public DateTimeOffset Expires { get; }

    public bool IsExpired(DateTimeOffset now) => Expires < now;

    /// <summary>nsqd's State.IsAllowed: a publish is checked with channel "" (so its authorization needs a channel
    /// regex that matches the empty name, such as <c>.*</c>).</summary>
    public bool IsAllowed(string topic, string channel)
    {
        foreach (var authorization in Authorizations)
            if (authorization.IsAllowed(topic, channel)) return true;
        return false;
    }

    /// <summary>Reads an auth server's answer as nsqd does, refusing what nsqd refuses: an unknown permission, a regex
    /// that does not compile, a ttl that is not positive.</summary>
    public static AuthState Parse(ReadOnlySpan<byte> json, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new AuthServerException("the answer is not a JSON object");
        var ttl = root.TryGetProperty("ttl", out var ttlValue) && ttlValue.ValueKind == JsonValueKind.Number ? ttlValue.GetInt64() : 0;
        var authorizations = new List<Authorization>();
        if (root.TryGetProperty("authorizations", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in list.EnumerateArray())
            {
                var permissions = Strings(entry, "permissions");
                foreach (var permission in permissions)
                    if (permission is not ("subscribe" or "publish")) throw new AuthServerException($"unknown permission {permission}");
                authorizations.Add(new Authorization(
                    Compile(entry.TryGetProperty("topic", out var topic) && topic.ValueKind == JsonValueKind.String ? topic.GetString()! : "", "topic"),
                    [.. Strings(entry, "channels").Select(c => Compile(c, "channel"))],
                    permissions.Contains("subscribe"),
                    permissions.Contains("publish")));
            }
        }
        if (ttl <= 0) throw new AuthServerException($"invalid TTL {ttl} (must be >0)");
        return new AuthState(authorizations, Text(root, "identity"), Text(root, "identity_url"), now.AddSeconds(ttl));
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static List<string> Strings(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var values) && values.ValueKind == JsonValueKind.Array
            ? [.. values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];

    private static Regex Compile(string pattern, string what)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new AuthServerException($"unable to compile {what} \"{pattern}\" {e.Message}");
        }
    }

    /// <summary>One authorization: a publish needs <see cref="Publish"/>, a subscribe <see cref="Subscribe"/>; then the
    /// topic regex must match and one channel regex must match the channel ("" for a publish).</summary>
    public sealed record Authorization(Regex Topic, IReadOnlyList<Regex> Channels, bool Subscribe, bool Publish)
    {
        public bool IsAllowed(string topic, string channel)
        {
            if (channel.Length > 0 ? !Subscribe : !Publish) return false;
            if (!Topic.IsMatch(topic)) return false;
            foreach (var regex in Channels)
                if (regex.IsMatch(channel)) return true;
            return false;
        }
    }
}

/// <summary>An auth server could not be asked, or answered what nsqd would refuse. Logged, never sent to the client
/// (it gets <c>E_AUTH_FAILED AUTH failed</c>).</summary>
public sealed class AuthServerException(string message, Exception? inner = null) : Exception(message, inner);
