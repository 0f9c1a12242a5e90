namespace OrleansNsq.Client;

/// <summary>Options of <see cref="NsqProducer"/> (bind them with the options pattern, section e.g. "Nsq:Producer").</summary>
public sealed class NsqProducerOptions : NsqConnectionOptions
{
    /// <summary>The nsqd TCP address, <c>host:port</c>.</summary>
    public string NsqdTcpAddress { get; set; } = "127.0.0.1:4150";

    /// <summary>Connections kept open to that nsqd; publishes go round robin over them, each pipelining its commands.</summary>
    public int ConnectionCount { get; set; } = 2;
}
