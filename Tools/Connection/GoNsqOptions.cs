using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using OrleansNsq.Client;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Connection;

/// <summary>
/// go-nsq's Config options as NSQ's utilities take them, <c>--consumer-opt</c> and <c>--producer-opt</c> given any number
/// of times as <c>&lt;name&gt;[,&lt;value&gt;]</c> (no value is <c>true</c>; a dash in the name reads as an underscore),
/// applied in order over the client's options after the named connection flags. Unknown names and values go-nsq cannot
/// coerce are refused with go-nsq's words. Names go-nsq knows and this client has no setting for are taken and reported
/// (<see cref="NotApplied"/>), so a command line written for NSQ's utilities runs unchanged. As in NSQ's utilities,
/// <c>user_agent</c> and a consumer's <c>max_in_flight</c> yield to the utility's own (its --max-in-flight).
/// </summary>
internal sealed class GoNsqOptions
{
    public static readonly GoNsqOptions None = new([], []);

    /// <summary>go-nsq names with no setting here, and why.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["read_timeout"] = "a lost nsqd is found by its missing heartbeats",
        ["write_timeout"] = "writes are bounded by the connection's heartbeats",
        ["local_addr"] = "the system picks the local address",
        ["lookupd_poll_jitter"] = "lookupd is polled without jitter",
        ["lookupd_poll_timeout"] = "lookupd requests use the HTTP client's timeout",
        ["backoff_strategy"] = "the backoff is go-nsq's exponential one",
        ["low_rdy_idle_timeout"] = "RDY moves on rdy_redistribute_interval",
        ["low_rdy_timeout"] = "RDY moves on rdy_redistribute_interval",
        ["topology_region"] = "no topology-aware routing",
        ["topology_zone"] = "no topology-aware routing",
        ["sample_rate"] = "no sampling",
        ["output_buffer_size"] = "nsqd's default output buffering is used",
        ["output_buffer_timeout"] = "nsqd's default output buffering is used",
        ["max_msg_size"] = "frames are limited by the protocol's own bound",
        ["skip_lookupd_authorization"] = "lookupd is asked without authorization",
        ["tls_config"] = "set by the tls_* options",
        ["user_agent"] = "the utility names itself",
    };

    private readonly IReadOnlyList<Action<NsqConnectionOptions>> _settings;

    private GoNsqOptions(IReadOnlyList<Action<NsqConnectionOptions>> settings, IReadOnlyList<string> notApplied)
    {
        _settings = settings;
        NotApplied = notApplied;
    }

    /// <summary>Options taken but not applied, each as "name (why)".</summary>
    public IReadOnlyList<string> NotApplied { get; }

    /// <summary>Reads the flag's values; <paramref name="error"/> is go-nsq's refusal of the first one it cannot take.</summary>
    /// <param name="flag">The flag's name without dashes, for the message (<c>consumer-opt</c>).</param>
    /// <param name="consumer">Consumer options (max_in_flight yields to the utility's flag) rather than producer options.</param>
    public static GoNsqOptions Parse(IReadOnlyList<string> values, string flag, bool consumer, out string? error)
    {
        error = null;
        var settings = new List<Action<NsqConnectionOptions>>();
        var notApplied = new List<string>();
        var tls = new TlsOptions();
        foreach (var value in values)
        {
            var comma = value.IndexOf(',');
            var name = (comma < 0 ? value : value[..comma]).Replace('-', '_');
            var text = comma < 0 ? "true" : value[(comma + 1)..];
            var problem = Read(name, text, consumer, tls, settings, notApplied);
            if (problem is not null)
            {
                error = $"invalid value \"{value}\" for flag -{flag}: {problem}";
                return None;
            }
        }
        if (tls.Enabled)
        {
            System.Net.Security.SslClientAuthenticationOptions? built = null;
            if (tls.Try(() => built = tls.Build()) is { } problem)
            {
                error = $"invalid value for flag -{flag}: {problem}";
                return None;
            }
            settings.Add(o => o.Tls = built);
        }
        return new GoNsqOptions(settings, notApplied);
    }

    public void ApplyTo(NsqConnectionOptions options)
    {
        foreach (var set in _settings) set(options);
    }

    private static string? Read(string name, string text, bool consumer, TlsOptions tls, List<Action<NsqConnectionOptions>> settings,
        List<string> notApplied)
    {
        switch (name)
        {
            case "client_id": settings.Add(o => o.ClientId = text); return null;
            case "hostname": settings.Add(o => o.Hostname = text); return null;
            case "heartbeat_interval": return Duration(name, text, null, null, v => settings.Add(o => o.HeartbeatInterval = v));
            case "dial_timeout": return Duration(name, text, null, null, v => settings.Add(o => o.DialTimeout = v));
            case "snappy": return Bool(name, text, v => settings.Add(o => o.Snappy = v));
            case "deflate": return Bool(name, text, v => settings.Add(o => o.Deflate = v));
            case "deflate_level": return Int(name, text, 1, 9, v => settings.Add(o => o.DeflateLevel = v));
            case "auth_secret": settings.Add(o => o.AuthSecret = text.Length == 0 ? null : text); return null;
            case "tls_v1": return Bool(name, text, v => tls.Enabled = v);
            case "tls_root_ca_file": return tls.Try(() => tls.Roots = ReadRoots(text));
            case "tls_cert" or "tls_key" when text.Length == 0: return null;
            case "tls_cert": tls.CertFile = text; return null;
            case "tls_key": tls.KeyFile = text; return null;
            case "tls_insecure_skip_verify": return Bool(name, text, v => tls.Insecure = v);
            case "tls_min_version":
                return text is "ssl3.0" or "tls1.0" or "tls1.1" or "tls1.2" ? null : $"ERROR: {text} is not a tls version";
            case "max_in_flight":
                return Int(name, text, 0, int.MaxValue, _ => notApplied.Add(consumer ? "max_in_flight (the utility's --max-in-flight decides)" : "max_in_flight (a producer has none)"));
            case "msg_timeout": return Duration(name, text, TimeSpan.Zero, null, v => Consumer(settings, o => o.MsgTimeout = v));
            case "max_attempts": return Int(name, text, 0, 65535, v => Consumer(settings, o => o.MaxAttempts = v));
            case "default_requeue_delay": return Duration(name, text, TimeSpan.Zero, TimeSpan.FromMinutes(60), v => Consumer(settings, o => o.DefaultRequeueDelay = v));
            case "max_requeue_delay": return Duration(name, text, TimeSpan.Zero, TimeSpan.FromMinutes(60), v => Consumer(settings, o => o.MaxRequeueDelay = v));
            case "backoff_multiplier": return Duration(name, text, TimeSpan.Zero, TimeSpan.FromMinutes(60), v => Consumer(settings, o => o.BackoffMultiplier = v));
            case "max_backoff_duration": return Duration(name, text, TimeSpan.Zero, TimeSpan.FromMinutes(60), v => Consumer(settings, o => o.MaxBackoffDuration = v));
            case "rdy_redistribute_interval": return Duration(name, text, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5), v => Consumer(settings, o => o.RdyRedistributeInterval = v));
            case "lookupd_poll_interval": return Duration(name, text, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5), v => Consumer(settings, o => o.LookupdPollInterval = v));
        }
        if (!Unsupported.TryGetValue(name, out var why)) return $"invalid option {name}";
        notApplied.Add($"{name} ({why})");
        return null;
    }

    private static void Consumer(List<Action<NsqConnectionOptions>> settings, Action<NsqConsumerOptions> set) =>
        settings.Add(o =>
        {
            if (o is NsqConsumerOptions consumer) set(consumer);
        });

    private static string? Bool(string name, string text, Action<bool> set)
    {
        if (!GoBool.TryParse(text, out var value)) return Coerce(name, text);
        set(value);
        return null;
    }

    private static string? Int(string name, string text, int min, int max, Action<int> set)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return Coerce(name, text);
        if (value < min) return $"invalid {name} ! {value} < {min}";
        if (value > max) return $"invalid {name} ! {value} > {max}";
        set(value);
        return null;
    }

    private static string? Duration(string name, string text, TimeSpan? min, TimeSpan? max, Action<TimeSpan> set)
    {
        if (!GoDuration.TryParse(text, out var value)) return Coerce(name, text);
        if (value < min) return $"invalid {name} ! {GoDuration.Format(value)} < {GoDuration.Format(min.Value)}";
        if (value > max) return $"invalid {name} ! {GoDuration.Format(value)} > {GoDuration.Format(max.Value)}";
        set(value);
        return null;
    }

    private static string Coerce(string name, string text) => $"failed to coerce option {name} ({text})";

    private static X509Certificate2Collection ReadRoots(string file)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"ERROR: failed to read custom Certificate Authority file {e.Message}", e);
        }
        return roots.Count > 0 ? roots : throw new IOException("ERROR: failed to append certificates from Certificate Authority file");
    }

    /// <summary>The tls_* options, gathered: go-nsq upgrades only with tls_v1, whatever else is set.</summary>
    private sealed class TlsOptions
    {
        public bool Enabled;
        public bool Insecure;
        public string? CertFile;
        public string? KeyFile;
        public X509Certificate2Collection? Roots;

        public string? Try(Action read)
        {
            try
            {
                read();
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return e.Message.StartsWith("ERROR:", StringComparison.Ordinal) ? e.Message : $"ERROR: {e.Message}";
            }
        }

        public System.Net.Security.SslClientAuthenticationOptions Build() =>
            ConnectionFlags.TlsOptions(Roots, CertFile, KeyFile, Insecure);
    }
}
