using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Flags;

/// <summary>
/// The command line of the Silo and the Gateway process: nsqd's flag names and defaults (nsqd 1.3.0: nsqd/options.go) mapped onto configuration keys, so the
/// same settings also come from appsettings.json (<c>Nsqd:MemQueueSize</c>) or the environment
/// (<c>Nsqd__MemQueueSize</c>). Flags beat the --config file, which beats appsettings.json and the environment.
/// </summary>
public static class NsqFlags
{
    public static readonly IReadOnlyList<Flag> All =
    [
        new("tcp-address", "Nsqd:TcpAddress", FlagKind.Text, "0.0.0.0:4150", "<addr>:<port> to listen on for TCP clients"),
        new("http-address", "Nsqd:HttpAddress", FlagKind.Text, "0.0.0.0:4151", "<addr>:<port> to listen on for HTTP clients (empty disables)"),
        new("lookupd-http-address", "Nsqd:LookupdHttpAddress", FlagKind.Text, "0.0.0.0:4161", "<addr>:<port> of the co-hosted nsqlookupd HTTP API (empty disables)"),
        new("admin-http-address", "Admin:HttpAddress", FlagKind.Text, "0.0.0.0:4171", "<addr>:<port> of the built-in nsqadmin: web UI and nsqadmin's /api, reading this node's lookupd (empty disables)"),
        new("lookupd-tcp-listen-address", "Lookupd:TcpAddress", FlagKind.Text, "0.0.0.0:4160", "<addr>:<port> of the co-hosted nsqlookupd TCP port, where nsqd nodes register (nsqlookupd's --tcp-address; empty disables)"),
        new("lookupd-tcp-address", "Nsqd:LookupdTcpAddresses", FlagKind.List, "", "lookupd TCP address to register this node's topics and channels with (may be given multiple times)", FileKey: "nsqlookupd-tcp-addresses"),
        new("inactive-producer-timeout", "Lookupd:InactiveProducerTimeout", FlagKind.Duration, "5m0s", "lookupd: duration of time since an nsqd's last ping before it is left out of /lookup and /nodes"),
        new("broadcast-address", "Nsqd:BroadcastAddress", FlagKind.Text, "(hostname)", "address this node is registered with in lookupd"),
        new("broadcast-tcp-port", "Nsqd:BroadcastTcpPort", FlagKind.Integer, "0", "TCP port that will be registered with lookupd (defaults to the TCP port that this node is listening on)"),
        new("broadcast-http-port", "Nsqd:BroadcastHttpPort", FlagKind.Integer, "0", "HTTP port that will be registered with lookupd (defaults to the HTTP port that this node is listening on)"),
        new("http-client-connect-timeout", "Admin:HttpClientConnectTimeout", FlagKind.Duration, "2s", "timeout for HTTP connect of this node's outgoing HTTP (the auth server, the built-in nsqadmin's calls to lookupd and nsqd)"),
        new("http-client-request-timeout", "Admin:HttpClientRequestTimeout", FlagKind.Duration, "5s", "timeout for HTTP request of this node's outgoing HTTP (the auth server, the built-in nsqadmin's calls to lookupd and nsqd)"),
        new("https-address", "Nsqd:HttpsAddress", FlagKind.Text, "0.0.0.0:4152", "<addr>:<port> to listen on for HTTPS clients (with --tls-cert and --tls-key; empty disables)"),
        new("tls-cert", "Nsqd:TlsCert", FlagKind.Text, "", "path to certificate file (PEM)"),
        new("tls-key", "Nsqd:TlsKey", FlagKind.Text, "", "path to key file (PEM)"),
        new("tls-root-ca-file", "Nsqd:TlsRootCaFile", FlagKind.Text, "", "path to certificate authority file (PEM) client certificates are verified against"),
        new("tls-client-auth-policy", "Nsqd:TlsClientAuthPolicy", FlagKind.Text, "", "client certificate auth policy ('require' or 'require-verify')"),
        new("tls-required", "Nsqd:TlsRequired", FlagKind.BoolOrWord, "false", "require TLS for client connections (true, false, tcp-https)", Words: ["tcp-https"]),
        new("tls-min-version", "Nsqd:TlsMinVersion", FlagKind.Text, "tls1.0", "minimum SSL/TLS version acceptable ('tls1.0', 'tls1.1', 'tls1.2' or 'tls1.3')"),
        new("data-path", "Nsqd:DataPath", FlagKind.Text, "(working dir)", "path to store data", SiloOnly: true),
        new("storage", "Storage:Provider", FlagKind.Text, "sqlite", "where topics, channels and messages are kept: sqlite (one file under --data-path) or postgres (--storage-connection)", SiloOnly: true),
        new("storage-connection", "Storage:ConnectionString", FlagKind.Text, "", "with --storage=postgres: Npgsql connection string, e.g. \"Host=db;Username=nsq;Password=…;Database=nsq\"", SiloOnly: true),
        new("apply-schema", "Storage:ApplySchema", FlagKind.Text, "true", "with --storage=postgres: create or update the schema at start; false: only check it (`migrate` applied it, the login needs no CREATE)", SiloOnly: true),
        new("storage-max-connections", "Storage:MaxPoolSize", FlagKind.Integer, "20", "with --storage=postgres: most connections of the store's pool (grain state and message log), unless the connection string sets Maximum Pool Size", SiloOnly: true),
        new("mem-queue-size", "Nsqd:MemQueueSize", FlagKind.Integer, "10000", "number of messages to keep in memory (per topic/channel)", SiloOnly: true),
        new("max-msg-size", "Nsqd:MaxMsgSize", FlagKind.Integer, "1048576", "maximum size of a single message in bytes"),
        new("max-body-size", "Nsqd:MaxBodySize", FlagKind.Integer, "5242880", "maximum size of a single command body"),
        new("msg-timeout", "Nsqd:MsgTimeout", FlagKind.Duration, "1m0s", "default duration to wait before auto-requeing a message"),
        new("max-msg-timeout", "Nsqd:MaxMsgTimeout", FlagKind.Duration, "15m0s", "maximum duration before a message will timeout"),
        new("max-req-timeout", "Nsqd:MaxReqTimeout", FlagKind.Duration, "1h0m0s", "maximum requeuing timeout for a message"),
        new("publish-timeout", "Nsqd:PublishTimeout", FlagKind.Duration, "5s", "longest wait for the cluster behind this node: a publish not taken by then is answered E_PUB_FAILED (HTTP 503); FIN/REQ/TOUCH and API reads are bounded by it too"),
        new("max-heartbeat-interval", "Nsqd:MaxHeartbeatInterval", FlagKind.Duration, "1m0s", "maximum client configurable duration of time between client heartbeats"),
        new("max-rdy-count", "Nsqd:MaxRdyCount", FlagKind.Integer, "2500", "maximum RDY count for a client"),
        new("max-output-buffer-size", "Nsqd:MaxOutputBufferSize", FlagKind.Integer, "65536", "maximum client configurable size (in bytes) for a client output buffer"),
        new("max-output-buffer-timeout", "Nsqd:MaxOutputBufferTimeout", FlagKind.Duration, "30s", "maximum client configurable duration of time between flushing to a client"),
        new("min-output-buffer-timeout", "Nsqd:MinOutputBufferTimeout", FlagKind.Duration, "25ms", "minimum client configurable duration of time between flushing to a client"),
        new("output-buffer-timeout", "Nsqd:OutputBufferTimeout", FlagKind.Duration, "250ms", "default duration of time between flushing data to clients"),
        new("max-channel-consumers", "Nsqd:MaxChannelConsumers", FlagKind.Integer, "0", "maximum channel consumer connection count per nsqd instance (0 = unlimited)"),
        new("auth-http-address", "Nsqd:AuthHttpAddresses", FlagKind.List, "", "<addr>:<port> or a full url to query auth server (may be given multiple times)", FileKey: "auth-http-addresses"),
        new("deflate", "Nsqd:Deflate", FlagKind.Bool, "true", "enable deflate feature negotiation (client compression)"),
        new("max-deflate-level", "Nsqd:MaxDeflateLevel", FlagKind.Integer, "6", "max deflate compression level a client can negotiate (> values == > nsqd CPU usage)"),
        new("snappy", "Nsqd:Snappy", FlagKind.Bool, "true", "enable snappy feature negotiation (client compression)"),
        new("statsd-address", "Nsqd:StatsdAddress", FlagKind.Text, "", "UDP <addr>:<port> of a statsd daemon for pushing stats"),
        new("statsd-interval", "Nsqd:StatsdInterval", FlagKind.Duration, "1m0s", "duration between pushing to statsd"),
        new("statsd-mem-stats", "Nsqd:StatsdMemStats", FlagKind.Bool, "true", "toggle sending memory and GC stats to statsd"),
        new("statsd-prefix", "Nsqd:StatsdPrefix", FlagKind.Text, "nsq.%s", "prefix used for keys sent to statsd (%s for host replacement)"),
        new("statsd-udp-packet-size", "Nsqd:StatsdUdpPacketSize", FlagKind.Integer, "508", "the size in bytes of statsd UDP packets"),
        new("statsd-exclude-ephemeral", "Nsqd:StatsdExcludeEphemeral", FlagKind.Bool, "false", "Skip ephemeral topics and channels when sending stats to statsd"),
        new("e2e-processing-latency-percentile", "Nsqd:E2eProcessingLatencyPercentiles", FlagKind.List, "", "message processing time percentiles (as float (0, 1.0]) to track (can be specified multiple times or comma separated '1.0,0.99,0.95', default none)", FileKey: "e2e-processing-latency-percentiles", SiloOnly: true),
        new("e2e-processing-latency-window-time", "Nsqd:E2eProcessingLatencyWindowTime", FlagKind.Duration, "10m0s", "calculate end to end latency quantiles for this duration of time (ie: 60s would only show quantile calculations from the past 60 seconds)", SiloOnly: true),
        new("prometheus-metrics", "Metrics:Prometheus", FlagKind.Bool, "true", "serve OpenTelemetry metrics in Prometheus text format at /metrics on the HTTP port"),
        new("tombstone-lifetime", "Nsqd:TombstoneLifetime", FlagKind.Duration, "45s", "lookupd: duration of time a producer will remain tombstoned"),
        new("cluster", "Cluster:Provider", FlagKind.Text, "", "run as one silo of a cluster whose membership is kept in: postgres (--cluster-connection); empty: a single node"),
        new("cluster-connection", "Cluster:ConnectionString", FlagKind.Text, "", "with --cluster=postgres: Npgsql connection string of the membership table (also the store's, unless --storage-connection is given)"),
        new("cluster-max-connections", "Cluster:MaxPoolSize", FlagKind.Integer, "4", "with --cluster=postgres: most connections of the membership table's pool, unless the connection string sets Maximum Pool Size", SiloOnly: true),
        new("advertised-ip", "Orleans:AdvertisedIPAddress", FlagKind.Text, "(first non-loopback address)", "IP address the other silos reach this silo at (cluster mode)", SiloOnly: true),
        new("silo-port", "Orleans:SiloPort", FlagKind.Integer, "11111", "Orleans silo-to-silo port", SiloOnly: true),
        new("gateway-port", "Orleans:GatewayPort", FlagKind.Integer, "30000", "Orleans client gateway port: a silo listens on it; the Gateway process without --cluster connects to it on localhost"),
        new("membership-probe-timeout", "Orleans:Membership:ProbeTimeout", FlagKind.Duration, "2s", "cluster mode: initial timeout of a liveness probe between silos (Orleans adapts it between half and four times this)", SiloOnly: true),
        new("membership-missed-probes", "Orleans:Membership:NumMissedProbesLimit", FlagKind.Integer, "3", "cluster mode: missed probes after which a silo votes another dead", SiloOnly: true),
        new("membership-death-votes", "Orleans:Membership:NumVotesForDeathDeclaration", FlagKind.Integer, "2", "cluster mode: votes that declare a silo dead", SiloOnly: true),
        new("membership-vote-expiration", "Orleans:Membership:DeathVoteExpirationTimeout", FlagKind.Duration, "30s", "cluster mode: age after which a death vote no longer counts", SiloOnly: true),
        new("membership-table-refresh", "Orleans:Membership:TableRefreshTimeout", FlagKind.Duration, "5s", "cluster mode: interval between reads of the membership table (how soon a silo cut off from the others finds itself declared dead and exits)", SiloOnly: true),
        new("cluster-id", "Orleans:ClusterId", FlagKind.Text, "orleans-nsq", "Orleans cluster id"),
        new("service-id", "Orleans:ServiceId", FlagKind.Text, "orleans-nsq", "Orleans service id"),
        new("log-level", "Logging:LogLevel:Default", FlagKind.Text, "info", "log level: debug, info, warn, error, fatal"),
        // nsqd's flags that have no meaning here: accepted so nsqd's command lines and config files start us, and logged.
        new("log-prefix", IgnoredSection + ":LogPrefix", FlagKind.Text, "[nsqd] ", "log message prefix", Ignored: "log lines carry their category and event id instead (docs/LOGGING.md)"),
        new("verbose", IgnoredSection + ":Verbose", FlagKind.Bool, "false", "[deprecated] has no effect, use --log-level", Ignored: "deprecated in nsqd too: use --log-level"),
        new("node-id", IgnoredSection + ":NodeId", FlagKind.Integer, "(hash of hostname)", "unique part for message IDs, (int) in range [0,1024)", Ignored: "message ids are a per-topic counter, unique across the cluster's silos without a node id (COMPATIBILITY.md)"),
        new("worker-id", IgnoredSection + ":WorkerId", FlagKind.Integer, "0", "[deprecated] use --node-id", Ignored: "deprecated in nsqd too; message ids need no node id here"),
        new("max-bytes-per-file", IgnoredSection + ":MaxBytesPerFile", FlagKind.Integer, "104857600", "number of bytes per diskqueue file before rolling", Ignored: "there are no diskqueue files: messages go to the message log (STORAGE.md)"),
        new("sync-every", IgnoredSection + ":SyncEvery", FlagKind.Integer, "2500", "number of messages per diskqueue fsync", Ignored: "the message log commits in groups; at --mem-queue-size=0 every OK is fsync'd, above it at most every 100 ms (STORAGE.md)"),
        new("sync-timeout", IgnoredSection + ":SyncTimeout", FlagKind.Duration, "2s", "duration of time per diskqueue fsync", Ignored: "the written-behind message log is fsync'd at most every 100 ms, not 2 s (STORAGE.md)"),
        new("queue-scan-selection-count", IgnoredSection + ":QueueScanSelectionCount", FlagKind.Integer, "20", "number of channels to check per queue scan loop", Ignored: "there is no scan worker pool: each channel grain scans itself"),
        new("queue-scan-worker-pool-max", IgnoredSection + ":QueueScanWorkerPoolMax", FlagKind.Integer, "4", "max concurrency for checking in-flight and deferred message timeouts", Ignored: "there is no scan worker pool: each channel grain scans itself"),
    ];

    /// <summary>Where the flags that have no meaning here are kept when given (<see cref="Flag.Ignored"/>).</summary>
    public const string IgnoredSection = "Nsqd:Ignored";

    /// <summary>The ignored flags the configuration carries a value for, with the reason of each.</summary>
    public static IEnumerable<(Flag Flag, string Value)> IgnoredGiven(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        foreach (var flag in All)
        {
            if (flag.Ignored is null) continue;
            if (configuration[flag.ConfigKey] is { } value) yield return (flag, value);
        }
    }

    public const string ConfigFlag = "config";

    /// <summary>The one list flag of numbers: each item must parse as a float (nsqd exits on one that does not).</summary>
    public const string E2ePercentilesKey = "Nsqd:E2eProcessingLatencyPercentiles";

    public static Flag? Find(string name)
    {
        foreach (var flag in All)
            if (flag.Name == name) return flag;
        return null;
    }

    /// <summary>The flag a --config file key names (flag name with '_' → '-', or its <see cref="Flag.FileKey"/>).</summary>
    public static Flag? FindFileKey(string key)
    {
        foreach (var flag in All)
            if ((flag.FileKey ?? flag.Name) == key) return flag;
        return null;
    }

    /// <summary>The configuration value for a flag's text, or an error message.</summary>
    public static string? ToConfigValue(Flag flag, string text, out string? error)
    {
        error = null;
        switch (flag.Kind)
        {
            case FlagKind.Integer:
                if (long.TryParse(text, out _)) return text;
                error = $"invalid value \"{text}\" for flag -{flag.Name}: parse error";
                return null;
            case FlagKind.Duration:
                if (GoDuration.TryParse(text, out var span)) return span.ToString("c");
                error = $"invalid value \"{text}\" for flag -{flag.Name}: parse error";
                return null;
            case FlagKind.Bool:
                if (GoBool.TryParse(text, out var on)) return on ? "true" : "false";
                error = $"invalid boolean value \"{text}\" for -{flag.Name}: parse error";
                return null;
            case FlagKind.BoolOrWord:
                if (flag.Words?.FirstOrDefault(w => w.Equals(text, StringComparison.OrdinalIgnoreCase)) is { } word) return word;
                if (GoBool.TryParse(text.ToLowerInvariant(), out var set)) return set ? "true" : "false";
                error = $"invalid boolean value \"{text}\" for -{flag.Name}: parse error";
                return null;
            default:
                return flag.ConfigKey == "Logging:LogLevel:Default" ? LogLevelName(text) : text;
        }
    }

    private static string LogLevelName(string nsqLevel) => nsqLevel.ToLowerInvariant() switch
    {
        "debug" => "Debug",
        "info" => "Information",
        "warn" => "Warning",
        "error" => "Error",
        "fatal" => "Critical",
        _ => nsqLevel,
    };

    /// <summary>--help: every flag of <paramref name="program"/>; the Gateway process leaves out the silo's own.</summary>
    /// <summary>What <c>-version</c> prints, nsqd's one line: the nsqd version clients see, then what runs it.</summary>
    public static string VersionText(string program = "nsqd") =>
        $"{program} v{Options.NsqdOptions.Version} (OrleansNsq {ProductVersion()}, .NET {Environment.Version})";

    private static string ProductVersion()
    {
        var version = typeof(NsqFlags).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+'); // the build's source revision, when the SDK appends it
        return plus < 0 ? version : version[..plus];
    }

    public static string HelpText(string program = "OrleansNsq.Silo", bool gateway = false)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"Usage of {program} (nsqd-compatible flags; -flag value, --flag=value):");
        text.AppendLine("  -config string\n    \tpath to config file (TOML, keys are flag names with '-' replaced by '_')");
        text.AppendLine("  -version\n    \tprint version string");
        foreach (var flag in All)
        {
            if (gateway && flag.SiloOnly) continue;
            var kind = flag.Kind switch
            {
                FlagKind.Integer => "int",
                FlagKind.Duration => "duration",
                FlagKind.List => "value",
                FlagKind.Bool or FlagKind.BoolOrWord => "",
                _ => "string",
            };
            // Go prints a boolean flag without a type.
            text.Append("  -").Append(flag.Name);
            if (kind.Length > 0) text.Append(' ').Append(kind);
            text.AppendLine();
            text.Append("    \t").Append(flag.Help);
            if (flag.Default.Length > 0) text.Append(" (default ").Append(flag.Default).Append(')');
            if (flag.Ignored is { } why) text.Append("  [accepted for nsqd's command lines, ignored: ").Append(why).AppendLine("]");
            else text.Append("  [config: ").Append(flag.ConfigKey).AppendLine("]");
        }
        return text.ToString();
    }
}
