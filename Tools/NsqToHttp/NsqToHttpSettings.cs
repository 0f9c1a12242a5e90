using OrleansNsq.Client;
using OrleansNsq.Tools.Upstream;

namespace OrleansNsq.Tools.NsqToHttp;

/// <summary>nsq_to_http's flags once checked; defaults are NSQ's and live on the options in <see cref="NsqToHttpCommand"/>.</summary>
internal sealed record NsqToHttpSettings
{
    public required string Topic { get; init; }
    public required string Channel { get; init; }
    public int MaxInFlight { get; init; } = 200;
    public IReadOnlyList<string> NsqdTcpAddresses { get; init; } = [];
    public IReadOnlyList<string> LookupdHttpAddresses { get; init; } = [];

    /// <summary>POST the body (true) or GET with the body in place of <c>%s</c>.</summary>
    public bool Post { get; init; } = true;
    public required IReadOnlyList<string> Addresses { get; init; }
    public UpstreamMode Mode { get; init; } = UpstreamMode.HostPool;

    /// <summary>HTTP requests at one time (<c>--n</c>).</summary>
    public int Concurrency { get; init; } = 100;
    public double Sample { get; init; } = 1.0;
    public string ContentType { get; init; } = "application/octet-stream";
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);
    public int StatusEvery { get; init; } = 250;

    /// <summary>TLS, compression and AUTH of the connections to nsqd.</summary>
    public Connection.ConnectionSettings Connection { get; init; } = OrleansNsq.Tools.Connection.ConnectionSettings.Plain;

    public NsqConsumerOptions ConsumerOptions() => Connection.ApplyTo(new NsqConsumerOptions
    {
        Topic = Topic, Channel = Channel, MaxInFlight = MaxInFlight,
        NsqdTcpAddresses = NsqdTcpAddresses.ToList(), LookupdHttpAddresses = LookupdHttpAddresses.ToList(),
        UserAgent = "nsq_to_http/1.3.0 (OrleansNsq)",
    });
}
