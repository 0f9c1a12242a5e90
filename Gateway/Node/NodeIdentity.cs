using System.Globalization;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Node;

/// <summary>
/// This node as nsqd's /info and nsqlookupd's PEER describe it. The listening ports are only known once Kestrel and
/// the TCP listener are bound (port 0 in tests), so the host sets <see cref="TcpPort"/> and <see cref="HttpPort"/>
/// after start; until then they hold the ports of the configured addresses.
/// </summary>
public sealed class NodeIdentity
{
    private int _tcpPort;
    private int _httpPort;

    public NodeIdentity(string broadcastAddress, string hostname, int tcpPort, int httpPort, DateTimeOffset startTime)
    {
        BroadcastAddress = broadcastAddress;
        Hostname = hostname;
        _tcpPort = tcpPort;
        _httpPort = httpPort;
        StartTime = startTime;
    }

    /// <summary>--broadcast-address: what lookupd hands to clients (they connect to broadcast_address:tcp_port).</summary>
    public string BroadcastAddress { get; }

    /// <summary>The OS hostname (nsqd's <c>os.Hostname()</c>).</summary>
    public string Hostname { get; }

    /// <summary>The nsqd TCP port clients connect to (−1 would mean a unix socket, as in nsqd).</summary>
    public int TcpPort
    {
        get => Volatile.Read(ref _tcpPort);
        set => Volatile.Write(ref _tcpPort, value);
    }

    /// <summary>The nsqd HTTP port (nsqadmin reaches /stats there; lookupd's /topic/tombstone matches on it).</summary>
    public int HttpPort
    {
        get => Volatile.Read(ref _httpPort);
        set => Volatile.Write(ref _httpPort, value);
    }

    /// <summary>--broadcast-tcp-port: the TCP port lookupd hands to clients instead of <see cref="TcpPort"/> (a port
    /// forwarded by a NAT or a container runtime); 0 when not set.</summary>
    public int BroadcastTcpPort { get; init; }

    /// <summary>--broadcast-http-port, the same for <see cref="HttpPort"/>; 0 when not set.</summary>
    public int BroadcastHttpPort { get; init; }

    /// <summary>The TCP port registered with lookupd (ours and external nsqlookupds) and in the cluster's membership, as
    /// nsqd registers it: the broadcast port, else the port listened on. /info keeps the port listened on.</summary>
    public int AdvertisedTcpPort => BroadcastTcpPort > 0 ? BroadcastTcpPort : TcpPort;

    /// <summary>The HTTP port registered with lookupd and in the statsd prefix, as nsqd does.</summary>
    public int AdvertisedHttpPort => BroadcastHttpPort > 0 ? BroadcastHttpPort : HttpPort;

    /// <summary>Process start, reported as unix seconds in /info and /stats.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>nsqd's statsd prefix: <c>%s</c> replaced by this node's host key (broadcast address and HTTP port
    /// joined as host:port, with '.' and ':' as '_'), ending in '.'; empty stays empty.</summary>
    public string StatsdPrefix(string configured)
    {
        if (configured.Length == 0) return configured;
        var host = BroadcastAddress.Contains(':') ? $"[{BroadcastAddress}]" : BroadcastAddress;
        var key = $"{host}:{AdvertisedHttpPort}".Replace('.', '_').Replace(':', '_');
        var prefix = configured.Replace("%s", key, StringComparison.Ordinal);
        return prefix.EndsWith('.') ? prefix : prefix + ".";
    }

    /// <summary>From the options: ports of <see cref="NsqdOptions.TcpAddress"/> and <see cref="NsqdOptions.HttpAddress"/>.</summary>
    public static NodeIdentity FromOptions(NsqdOptions options, TimeProvider time) => new(
        options.BroadcastAddress,
        System.Net.Dns.GetHostName(),
        PortOf(options.TcpAddress),
        PortOf(options.HttpAddress),
        time.GetUtcNow())
    {
        BroadcastTcpPort = options.BroadcastTcpPort,
        BroadcastHttpPort = options.BroadcastHttpPort,
    };

    /// <summary>The port of an "host:port" address; −1 when there is none (nsqd's value for a unix socket).</summary>
    internal static int PortOf(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon >= 0 && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : -1;
    }
}
