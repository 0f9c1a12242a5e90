using System.Net;
using System.Net.Sockets;

namespace OrleansNsq.Admin.Hosting;

/// <summary>NSQ's <c>host:port</c> listen addresses, as nsqd, nsqlookupd and nsqadmin take them: <c>0.0.0.0:4150</c>,
/// <c>127.0.0.1:0</c>, <c>[::1]:4150</c>, <c>:4150</c> (all interfaces), <c>localhost:4150</c>. The gateway's listeners
/// use it too.</summary>
public static class ListenAddress
{
    public static IPEndPoint Parse(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
            throw new FormatException($"'{address}' is not a host:port address");
        var host = address[..colon].Trim('[', ']');
        if (host.Length == 0) return new IPEndPoint(IPAddress.Any, port);
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        var resolved = Dns.GetHostAddresses(host);
        var v4 = Array.Find(resolved, a => a.AddressFamily == AddressFamily.InterNetwork);
        return new IPEndPoint(v4 ?? resolved[0], port);
    }
}
