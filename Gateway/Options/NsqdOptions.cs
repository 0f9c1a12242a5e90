namespace OrleansNsq.Gateway.Options;

/// <summary>
/// nsqd's flags (nsqd 1.3.0: nsqd/options.go) with nsqd 1.3.0's defaults. Bound from configuration section <c>Nsqd</c>; the Silo
/// maps <c>--mem-queue-size</c> to <c>Nsqd:MemQueueSize</c> and so on. Durations are TimeSpans ("00:01:00" or NSQ
/// style "60s", "15m", "1h" on the command line).
/// </summary>
public sealed class NsqdOptions
{
    public const string SectionName = "Nsqd";

    /// <summary>The version nsqd clients see (IDENTIFY, /info, /stats, lookupd). nsqadmin parses it as semver.</summary>
    public const string Version = "1.3.0";

    /// <summary>--tcp-address, default 0.0.0.0:4150.</summary>
    public string TcpAddress { get; set; } = "0.0.0.0:4150";
    /// <summary>--http-address, default 0.0.0.0:4151. Empty disables the HTTP API.</summary>
    public string HttpAddress { get; set; } = "0.0.0.0:4151";
    /// <summary>--lookupd-http-address: the co-hosted nsqlookupd HTTP API, default 0.0.0.0:4161. Empty disables it.</summary>
    public string LookupdHttpAddress { get; set; } = "0.0.0.0:4161";
    /// <summary>--lookupd-tcp-address (repeatable), default none: external nsqlookupd TCP addresses this node registers
    /// its topics and channels with, as nsqd does.</summary>
    public string[] LookupdTcpAddresses { get; set; } = [];
    /// <summary>--broadcast-address, default the OS hostname.</summary>
    public string BroadcastAddress { get; set; } = System.Net.Dns.GetHostName();
    /// <summary>--broadcast-tcp-port: the TCP port registered with lookupd; 0 (default) = the port listened on.</summary>
    public int BroadcastTcpPort { get; set; }
    /// <summary>--broadcast-http-port: the HTTP port registered with lookupd; 0 (default) = the port listened on.</summary>
    public int BroadcastHttpPort { get; set; }
    /// <summary>--https-address, default 0.0.0.0:4152: the nsqd HTTP API over TLS, served only when --tls-cert and
    /// --tls-key are given. Empty disables it.</summary>
    public string HttpsAddress { get; set; } = "0.0.0.0:4152";
    /// <summary>--tls-cert: path to the certificate file, PEM (the leaf first, then any intermediates).</summary>
    public string TlsCert { get; set; } = "";
    /// <summary>--tls-key: path to the key file of --tls-cert, PEM.</summary>
    public string TlsKey { get; set; } = "";
    /// <summary>--tls-root-ca-file: PEM certificates a client certificate must chain to (with --tls-client-auth-policy=require-verify).</summary>
    public string TlsRootCaFile { get; set; } = "";
    /// <summary>--tls-client-auth-policy: "require" (a client certificate, any), "require-verify" (one that chains to
    /// --tls-root-ca-file); anything else asks for none. Either implies --tls-required, as in nsqd.</summary>
    public string TlsClientAuthPolicy { get; set; } = "";
    /// <summary>--tls-required: "false" (default), "true" (TCP clients must upgrade before any command but IDENTIFY, and
    /// the plain HTTP API refuses requests) or "tcp-https" (TCP clients must, HTTP stays open).</summary>
    public string TlsRequired { get; set; } = "false";
    /// <summary>--tls-min-version: tls1.0 (default), tls1.1, tls1.2 or tls1.3; ssl3.0 is refused (no TLS stack offers
    /// it). tls1.0 and tls1.1 let the operating system's TLS library choose its lowest version, which is usually 1.2.</summary>
    public string TlsMinVersion { get; set; } = "tls1.0";
    /// <summary>--auth-http-address (repeatable): auth servers, <c>host:port</c> or a full URL. With any, clients must
    /// AUTH before SUB and the publishes, and each is checked against what the auth server granted.</summary>
    public string[] AuthHttpAddresses { get; set; } = [];
    /// <summary>--deflate, default true: IDENTIFY grants deflate to a client that asks.</summary>
    public bool Deflate { get; set; } = true;
    /// <summary>--snappy, default true: IDENTIFY grants snappy to a client that asks.</summary>
    public bool Snappy { get; set; } = true;
    /// <summary>--data-path, default "" (working directory).</summary>
    public string DataPath { get; set; } = "";
    /// <summary>--mem-queue-size, default 10000 messages per topic and per channel.</summary>
    public long MemQueueSize { get; set; } = 10000;
    /// <summary>--max-msg-size, default 1048576: PUB/DPUB body, each MPUB part, HTTP /pub.</summary>
    public long MaxMsgSize { get; set; } = 1048576;
    /// <summary>--max-body-size, default 5242880: MPUB, IDENTIFY and AUTH bodies, HTTP /mpub.</summary>
    public long MaxBodySize { get; set; } = 5242880;
    /// <summary>--msg-timeout, default 60s.</summary>
    public TimeSpan MsgTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>--max-msg-timeout, default 15m: cap for IDENTIFY msg_timeout and TOUCH.</summary>
    public TimeSpan MaxMsgTimeout { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>--max-req-timeout, default 1h: REQ is clamped to it, DPUB/defer beyond it is an error.</summary>
    public TimeSpan MaxReqTimeout { get; set; } = TimeSpan.FromHours(1);
    /// <summary>--publish-timeout, default 5s: the longest a publish waits for the cluster behind this node before it
    /// is answered E_PUB_FAILED (HTTP 503), and the bound on every other call a client's command or an API request
    /// makes into the cluster (FIN, REQ, TOUCH, /stats, lookupd's answers). Not an nsqd flag: nsqd has no cluster to
    /// wait for.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Nsqd:ApiReadTimeout (configuration only), default 2s: the longest /stats and lookupd's reads wait for
    /// the cluster before they answer from their last copy, marked stale. Shorter than --publish-timeout: such a read
    /// has something to answer with, and its callers (nsqadmin, a client's lookupd poll) give up after 5 s.</summary>
    public TimeSpan ApiReadTimeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>--max-heartbeat-interval, default 1m.</summary>
    public TimeSpan MaxHeartbeatInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>nsqd's ClientTimeout (not a flag): 60s, the default heartbeat is half of it.</summary>
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>--max-rdy-count, default 2500.</summary>
    public long MaxRdyCount { get; set; } = 2500;
    /// <summary>--max-output-buffer-size, default 65536.</summary>
    public long MaxOutputBufferSize { get; set; } = 65536;
    /// <summary>--max-output-buffer-timeout, default 30s.</summary>
    public TimeSpan MaxOutputBufferTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>--min-output-buffer-timeout, default 25ms.</summary>
    public TimeSpan MinOutputBufferTimeout { get; set; } = TimeSpan.FromMilliseconds(25);
    /// <summary>--output-buffer-timeout, default 250ms.</summary>
    public TimeSpan OutputBufferTimeout { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>--max-channel-consumers, default 0 (unlimited).</summary>
    public int MaxChannelConsumers { get; set; }
    /// <summary>--max-deflate-level, default 6 (deflate is not offered yet, the value is still reported).</summary>
    public int MaxDeflateLevel { get; set; } = 6;
    /// <summary>--statsd-address, default "" (off).</summary>
    public string StatsdAddress { get; set; } = "";
    /// <summary>--statsd-interval, default 1m.</summary>
    public TimeSpan StatsdInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>--statsd-mem-stats, default true.</summary>
    public bool StatsdMemStats { get; set; } = true;
    /// <summary>--statsd-prefix, default "nsq.%s" (%s: the broadcast address and HTTP port, '.' and ':' as '_').</summary>
    public string StatsdPrefix { get; set; } = "nsq.%s";
    /// <summary>--statsd-udp-packet-size, default 508 (the largest UDP payload no IPv4 path fragments).</summary>
    public int StatsdUdpPacketSize { get; set; } = 508;
    /// <summary>--statsd-exclude-ephemeral, default false.</summary>
    public bool StatsdExcludeEphemeral { get; set; }
    /// <summary>--e2e-processing-latency-percentile (the channel grains read it too), default none.</summary>
    public double[] E2eProcessingLatencyPercentiles { get; set; } = [];
    /// <summary>--e2e-processing-latency-window-time, default 10m.</summary>
    public TimeSpan E2eProcessingLatencyWindowTime { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>--tombstone-lifetime of the co-hosted lookupd, default 45s.</summary>
    public TimeSpan TombstoneLifetime { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Default heartbeat interval: ClientTimeout / 2 = 30s.</summary>
    public TimeSpan DefaultHeartbeatInterval => ClientTimeout / 2;
}
