using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Producers;

/// <summary>
/// One nsqd as nsqlookupd lists it (PEER): where clients connect (<c>broadcast_address:tcp_port</c>) and where
/// nsqadmin reads /stats (<c>http_port</c>). In a cluster every live silo's gateway is one, since any gateway serves
/// any topic.
/// </summary>
public sealed record LookupdProducer(string Hostname, string BroadcastAddress, int TcpPort, int HttpPort, string Version)
{
    /// <summary>What /topic/tombstone's <c>node</c> names: <c>broadcast_address:http_port</c>.</summary>
    public string Node => $"{BroadcastAddress}:{HttpPort}";

    /// <summary>PEER's <c>remote_address</c> and /debug's <c>id</c>. nsqlookupd shows the address nsqd connected from,
    /// which does not exist here; clients ignore it.</summary>
    public string RemoteAddress => $"{BroadcastAddress}:{TcpPort}";

    public static LookupdProducer Of(NodeIdentity node) =>
        new(node.Hostname, node.BroadcastAddress, node.AdvertisedTcpPort, node.AdvertisedHttpPort, NsqdOptions.Version);
}
