namespace OrleansNsq.Admin.Configuration;

/// <summary>
/// nsqadmin's options with its defaults, bound from configuration section <c>Admin</c> (flags: the standalone
/// admin takes nsqadmin's names, a Silo or Gateway takes <c>--admin-http-address</c>).
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>--http-address (standalone) or --admin-http-address (Silo, Gateway), default 0.0.0.0:4171. Empty
    /// disables the admin in a Silo or Gateway.</summary>
    public string HttpAddress { get; set; } = "0.0.0.0:4171";

    /// <summary>--lookupd-http-address (repeatable). In a Silo or Gateway, when neither this nor
    /// <see cref="NsqdHttpAddresses"/> is given, the node's own lookupd.</summary>
    public string[] LookupdHttpAddresses { get; set; } = [];

    /// <summary>--nsqd-http-address (repeatable): nsqd nodes read directly, without a lookupd.</summary>
    public string[] NsqdHttpAddresses { get; set; } = [];

    /// <summary>--http-client-connect-timeout, default 2s.</summary>
    public TimeSpan HttpClientConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>--http-client-request-timeout, default 5s.</summary>
    public TimeSpan HttpClientRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>--allow-config-from-cidr, default 127.0.0.1/8: who may GET and PUT /config/:opt.</summary>
    public string AllowConfigFromCidr { get; set; } = "127.0.0.1/8";

    /// <summary>--acl-http-header, default X-Forwarded-User: the header naming the user for --admin-user.</summary>
    public string AclHttpHeader { get; set; } = "X-Forwarded-User";

    /// <summary>--admin-user (repeatable); when given, only these users may act (create, pause, empty, delete,
    /// tombstone), others get 403 FORBIDDEN.</summary>
    public string[] AdminUsers { get; set; } = [];

    /// <summary>--log-level of the admin's own log, default info (PUT /config/log_level changes it live).</summary>
    public string LogLevel { get; set; } = "info";
}
