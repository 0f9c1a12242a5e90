using OrleansNsq.Protocol;

namespace OrleansNsq.Admin.Hosting;

/// <summary>
/// The standalone admin's command line: nsqadmin's flag names and defaults (Go flag syntax: <c>-flag value</c>,
/// <c>--flag=value</c>; list flags repeated), mapped onto the <c>Admin</c> configuration section.
/// </summary>
public sealed record AdminCommandLine(IReadOnlyDictionary<string, string?> Values, bool Help, string? Error)
{
    private sealed record Flag(string Name, string ConfigKey, bool List, bool Duration, string Default, string Help);

    private static readonly Flag[] Flags =
    [
        new("http-address", "Admin:HttpAddress", false, false, "0.0.0.0:4171", "<addr>:<port> to listen on for HTTP clients"),
        new("lookupd-http-address", "Admin:LookupdHttpAddresses", true, false, "", "lookupd HTTP address (may be given multiple times)"),
        new("nsqd-http-address", "Admin:NsqdHttpAddresses", true, false, "", "nsqd HTTP address (may be given multiple times)"),
        new("http-client-connect-timeout", "Admin:HttpClientConnectTimeout", false, true, "2s", "timeout for HTTP connect"),
        new("http-client-request-timeout", "Admin:HttpClientRequestTimeout", false, true, "5s", "timeout for HTTP request"),
        new("allow-config-from-cidr", "Admin:AllowConfigFromCidr", false, false, "127.0.0.1/8", "A CIDR from which to allow HTTP requests to the /config endpoint"),
        new("acl-http-header", "Admin:AclHttpHeader", false, false, "X-Forwarded-User", "HTTP header to check for authenticated admin users"),
        new("admin-user", "Admin:AdminUsers", true, false, "", "admin user (may be given multiple times; if specified, only these users will be able to perform privileged actions; acl-http-header is used to determine the authenticated user)"),
        new("log-level", "Admin:LogLevel", false, false, "info", "set log verbosity: debug, info, warn, error, or fatal"),
    ];

    public static AdminCommandLine Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var lists = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!GoFlagSyntax.TrySplit(arg, out var name, out var value)) return Fail($"unexpected argument \"{arg}\"");
            if (name is "h" or "help") return new AdminCommandLine(values, true, null);
            var flag = Array.Find(Flags, f => f.Name == name);
            if (flag is null) return Fail($"flag provided but not defined: -{name}");
            if (value is null)
            {
                if (i + 1 >= args.Count) return Fail($"flag needs an argument: -{name}");
                value = args[++i];
            }
            if (flag.List)
            {
                if (!lists.TryGetValue(flag.ConfigKey, out var list)) lists[flag.ConfigKey] = list = [];
                list.Add(value);
                continue;
            }
            if (flag.Duration)
            {
                if (!GoDuration.TryParse(value, out var duration)) return Fail($"invalid value \"{value}\" for flag -{name}: parse error");
                value = duration.ToString("c");
            }
            values[flag.ConfigKey] = value;
        }
        foreach (var (key, list) in lists)
            for (var i = 0; i < list.Count; i++) values[$"{key}:{i}"] = list[i];
        var lookupds = lists.ContainsKey("Admin:LookupdHttpAddresses");
        var nsqds = lists.ContainsKey("Admin:NsqdHttpAddresses");
        // nsqadmin's own checks at start
        if (!lookupds && !nsqds) return Fail("--nsqd-http-address or --lookupd-http-address required");
        if (lookupds && nsqds) return Fail("use --nsqd-http-address or --lookupd-http-address not both");
        return new AdminCommandLine(values, false, null);
    }

    private static AdminCommandLine Fail(string error) => new(new Dictionary<string, string?>(), false, error);

    public static string HelpText()
    {
        var text = new System.Text.StringBuilder("Usage of OrleansNsq.Admin (nsqadmin-compatible flags; -flag value, --flag=value):\n");
        foreach (var flag in Flags)
        {
            text.Append("  -").Append(flag.Name).Append(flag.List ? " value" : flag.Duration ? " duration" : " string").Append('\n');
            text.Append("    \t").Append(flag.Help);
            if (flag.Default.Length > 0) text.Append(" (default ").Append(flag.Default).Append(')');
            text.Append('\n');
        }
        return text.ToString();
    }
}
