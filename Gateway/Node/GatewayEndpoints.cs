using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansNsq.Gateway.Node;

/// <summary>The listeners as bound (ports known once Kestrel has started, also for port 0).</summary>
public sealed class GatewayEndpoints
{
    public ListenOptions? Tcp { get; internal set; }
    public ListenOptions? NsqdHttp { get; internal set; }
    /// <summary>--https-address: the nsqd HTTP API over TLS (only with a certificate).</summary>
    public ListenOptions? NsqdHttps { get; internal set; }
    public ListenOptions? LookupdHttp { get; internal set; }
    public ListenOptions? LookupdTcp { get; internal set; }
    public ListenOptions? AdminHttp { get; internal set; }

    public static int PortOf(ListenOptions? listen) => (listen?.EndPoint as System.Net.IPEndPoint)?.Port ?? -1;
}

/// <summary>What the host does once Kestrel is bound.</summary>
public static class BoundPorts
{
    /// <summary>The node's identity takes the real ports (port 0 in tests). Called by the host and by the lookupd
    /// registration loop, whichever runs first after start.</summary>
    public static void PublishBoundPorts(this IServiceProvider services)
    {
        var endpoints = services.GetRequiredService<GatewayEndpoints>();
        var identity = services.GetRequiredService<NodeIdentity>();
        identity.TcpPort = GatewayEndpoints.PortOf(endpoints.Tcp);
        if (endpoints.NsqdHttp is not null) identity.HttpPort = GatewayEndpoints.PortOf(endpoints.NsqdHttp);
    }
}
