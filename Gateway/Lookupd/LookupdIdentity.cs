using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// What the lookupd role says about itself in its IDENTIFY reply: its broadcast address (the node's), the OS hostname,
/// its real TCP and HTTP ports and the version. nsqd uses <c>broadcast_address:http_port</c> of the reply to ask
/// <c>/channels</c> when it creates a topic.
/// </summary>
internal sealed class LookupdIdentity(IOptions<NsqdOptions> options, NodeIdentity node, GatewayEndpoints endpoints)
{
    public byte[] Reply() => JsonSerializer.SerializeToUtf8Bytes(
        new LookupIdentifyReply(
            options.Value.BroadcastAddress,
            node.Hostname,
            GatewayEndpoints.PortOf(endpoints.LookupdHttp),
            GatewayEndpoints.PortOf(endpoints.LookupdTcp),
            NsqdOptions.Version),
        LookupJsonContext.Default.LookupIdentifyReply);
}
