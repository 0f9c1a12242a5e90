using OrleansNsq.Client;
using OrleansNsq.Tools.Upstream;

namespace OrleansNsq.Tools.NsqToNsq;

/// <summary>nsq_to_nsq's flags once checked; defaults are NSQ's and live on the options in <see cref="NsqToNsqCommand"/>.</summary>
internal sealed record NsqToNsqSettings
{
    public const string UserAgent = "nsq_to_nsq/1.3.0 (OrleansNsq)";

    public required IReadOnlyList<string> Topics { get; init; }
    public string Channel { get; init; } = "nsq_to_nsq";

    /// <summary>Empty: each message goes to the topic it was consumed from.</summary>
    public string DestinationTopic { get; init; } = "";
    public required IReadOnlyList<string> Destinations { get; init; }
    public UpstreamMode Mode { get; init; } = UpstreamMode.HostPool;
    public int MaxInFlight { get; init; } = 200;
    public int StatusEvery { get; init; } = 250;
    public IReadOnlyList<string> NsqdTcpAddresses { get; init; } = [];
    public IReadOnlyList<string> LookupdHttpAddresses { get; init; } = [];
    public JsonFilter Filter { get; init; } = new(null, null, []);
    /// <summary>TLS, compression and AUTH of the connections, to the source nsqds and to the destinations.</summary>
    public Connection.ConnectionSettings Connection { get; init; } = OrleansNsq.Tools.Connection.ConnectionSettings.Plain;

    public string DestinationTopicFor(string sourceTopic) => DestinationTopic.Length > 0 ? DestinationTopic : sourceTopic;

    public NsqConsumerOptions ConsumerOptions(string topic) => Connection.ApplyTo(new NsqConsumerOptions
    {
        Topic = topic, Channel = Channel, MaxInFlight = MaxInFlight,
        NsqdTcpAddresses = NsqdTcpAddresses.ToList(), LookupdHttpAddresses = LookupdHttpAddresses.ToList(),
        UserAgent = UserAgent,
    });
}
