using System.Net;
using Microsoft.Extensions.Options;

namespace OrleansNsq.Admin.Configuration;

/// <summary>
/// The admin's options as in force now. PUT /config/nsqlookupd_http_addresses and /config/log_level replace them
/// while running, as nsqadmin's swapOpts does; readers take one <see cref="Snapshot"/> per request.
/// </summary>
public sealed class AdminSettings
{
    private AdminSnapshot _current;

    public AdminSettings(IOptions<AdminOptions> options, AdminLogLevel logLevel, IAdminDefaultFleet? defaultFleet = null)
    {
        var value = options.Value;
        LogLevel = logLevel;
        DefaultFleet = defaultFleet;
        if (!LogLevels.TryParse(value.LogLevel, out var level)) throw new OptionsValidationException(AdminOptions.SectionName, typeof(AdminOptions), [$"invalid --log-level {value.LogLevel}"]);
        logLevel.Level = level;
        _current = new AdminSnapshot(value.LookupdHttpAddresses, value.NsqdHttpAddresses, level);
        if (value.AllowConfigFromCidr.Length > 0 && !IPNetwork.TryParse(value.AllowConfigFromCidr, out _))
            throw new OptionsValidationException(AdminOptions.SectionName, typeof(AdminOptions), [$"failed to parse --allow-config-from-cidr ({value.AllowConfigFromCidr})"]);
        Options = value;
    }

    public AdminOptions Options { get; }

    public AdminLogLevel LogLevel { get; }

    private IAdminDefaultFleet? DefaultFleet { get; }

    public AdminSnapshot Snapshot => Volatile.Read(ref _current);

    /// <summary>The lookupds to ask: the configured ones, or with neither lookupds nor nsqds configured, the host
    /// node's own lookupd (a Silo or Gateway).</summary>
    public IReadOnlyList<string> Lookupds(AdminSnapshot snapshot) =>
        snapshot.Lookupds.Count == 0 && snapshot.Nsqds.Count == 0 && DefaultFleet is not null ? DefaultFleet.LookupdHttpAddresses() : snapshot.Lookupds;

    /// <summary>The nsqds to ask when there are no lookupds: the configured ones, else the host node's own nsqd.</summary>
    public IReadOnlyList<string> Nsqds(AdminSnapshot snapshot) =>
        snapshot.Lookupds.Count == 0 && snapshot.Nsqds.Count == 0 && DefaultFleet is not null ? DefaultFleet.NsqdHttpAddresses() : snapshot.Nsqds;

    public void SetLookupds(string[] lookupds) => Swap(s => s with { Lookupds = lookupds });

    public void SetLogLevel(int level)
    {
        LogLevel.Level = level;
        Swap(s => s with { LogLevel = level });
    }

    private void Swap(Func<AdminSnapshot, AdminSnapshot> change)
    {
        AdminSnapshot seen, next;
        do
        {
            seen = Snapshot;
            next = change(seen);
        } while (Interlocked.CompareExchange(ref _current, next, seen) != seen);
    }

    /// <summary>Whether <paramref name="remote"/> may use /config (--allow-config-from-cidr; empty allows all).</summary>
    public bool AllowsConfigFrom(IPAddress remote) =>
        Options.AllowConfigFromCidr.Length == 0 || IPNetwork.Parse(Options.AllowConfigFromCidr).Contains(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);

    /// <summary>nsqadmin's isAuthorizedAdminRequest: anyone without --admin-user, else one of them.</summary>
    public bool IsAdmin(string? user) => Options.AdminUsers.Length == 0 || (user is not null && Options.AdminUsers.Contains(user));
}

/// <summary>The options PUT /config can change: lookupds, nsqds (read only) and the log level (nsqadmin's 1–5).</summary>
public sealed record AdminSnapshot(IReadOnlyList<string> Lookupds, IReadOnlyList<string> Nsqds, int LogLevel);

/// <summary>The fleet a Silo or Gateway's admin watches unless told otherwise: that node's own lookupd (or nsqd when
/// its lookupd is off), known once Kestrel has bound the ports.</summary>
public interface IAdminDefaultFleet
{
    IReadOnlyList<string> LookupdHttpAddresses();

    IReadOnlyList<string> NsqdHttpAddresses();
}
