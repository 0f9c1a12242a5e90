using Microsoft.AspNetCore.Server.Kestrel.Core;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Admin.Configuration;

namespace OrleansNsq.Gateway.Hosting;

/// <summary>
/// What the built-in admin watches unless --admin-http-address's admin is given lookupds or nsqds in configuration
/// (Admin:LookupdHttpAddresses): this node's own lookupd on loopback, which lists every silo of the cluster, or its
/// nsqd when the lookupd HTTP API is off.
/// </summary>
internal sealed class NodeAdminFleet(GatewayEndpoints endpoints) : IAdminDefaultFleet
{
    public IReadOnlyList<string> LookupdHttpAddresses() =>
        endpoints.LookupdHttp is { } lookupd ? [Loopback(lookupd)] : [];

    public IReadOnlyList<string> NsqdHttpAddresses() =>
        endpoints.LookupdHttp is null && endpoints.NsqdHttp is { } nsqd ? [Loopback(nsqd)] : [];

    /// <summary>The listener's own address when it is bound to one, loopback when bound to every interface.</summary>
    private static string Loopback(ListenOptions listen)
    {
        var endpoint = (System.Net.IPEndPoint)listen.EndPoint!;
        var address = endpoint.Address.Equals(System.Net.IPAddress.Any) || endpoint.Address.Equals(System.Net.IPAddress.IPv6Any)
            ? System.Net.IPAddress.Loopback
            : endpoint.Address;
        return new System.Net.IPEndPoint(address, endpoint.Port).ToString();
    }
}
