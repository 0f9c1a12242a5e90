using System.Net.Security;

namespace OrleansNsq.Client;

/// <summary>Settings every connection to nsqd uses; most are sent in IDENTIFY.</summary>
public abstract class NsqConnectionOptions
{
    /// <summary>IDENTIFY <c>client_id</c>; default the short host name.</summary>
    public string ClientId { get; set; } = Environment.MachineName.Split('.')[0];

    /// <summary>IDENTIFY <c>hostname</c>; default the host name.</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>IDENTIFY <c>user_agent</c>, shown in nsqd's /stats.</summary>
    public string UserAgent { get; set; } = "orleansnsq-client/1.0";

    /// <summary>How often nsqd sends <c>_heartbeat_</c> (answered with NOP). 1 s … 60 s; default 30 s as nsqd.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open the TCP connection and finish IDENTIFY.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>TLS after IDENTIFY (nsqd's <c>tls_v1</c>, with --tls-cert on the server): null (default) keeps the
    /// connection plain. <see cref="SslClientAuthenticationOptions.TargetHost"/> defaults to the nsqd host; set
    /// <c>RemoteCertificateValidationCallback</c> to trust a private CA, <c>ClientCertificates</c> for a client
    /// certificate (--tls-client-auth-policy).</summary>
    public SslClientAuthenticationOptions? Tls { get; set; }

    /// <summary>Ask for snappy compression after IDENTIFY (granted unless nsqd runs with --snappy=false).</summary>
    public bool Snappy { get; set; }

    /// <summary>Ask for deflate compression after IDENTIFY at <see cref="DeflateLevel"/> (granted unless nsqd runs with
    /// --deflate=false). Not together with <see cref="Snappy"/>.</summary>
    public bool Deflate { get; set; }

    /// <summary>1 (fastest) … 9 (smallest); nsqd lowers it to its --max-deflate-level. Default 6.</summary>
    public int DeflateLevel { get; set; } = 6;

    /// <summary>The secret sent with AUTH when nsqd requires it (--auth-http-address); null: none.</summary>
    public string? AuthSecret { get; set; }

    /// <summary>Carry W3C trace context in the body (NSQ has no headers): a producer puts an envelope with its publish
    /// span's context in front of each body, a consumer reads and strips it and parents its process span on it. Both
    /// sides must agree; the format is <c>TraceEnvelope</c>'s (docs/CLIENT.md). Default false: bodies are untouched.</summary>
    public bool TraceContextEnvelope { get; set; }
}
