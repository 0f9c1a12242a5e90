using System.Globalization;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Producers;

/// <summary>
/// A cluster silo's name in the Orleans membership table carries the NSQ endpoints of its gateway:
/// <c>nsq/hostname/broadcast_address/tcp_port/http_port</c>. So the membership table, which every silo and client
/// already reads and watches, is lookupd's directory of producers, with no registry of our own to keep in step.
/// '/' appears in neither a hostname nor an address (IPv6 ones have ':').
/// </summary>
public static class ProducerSiloName
{
    private const string Prefix = "nsq/";

    /// <summary>
    /// Under Orleans' Kubernetes hosting the silo name must be the pod name, so the same text travels as the silo's
    /// Orleans metadata under this key instead (the Silo's KubernetesHosting).
    /// </summary>
    public const string MetadataKey = "nsq-producer";

    public static string Format(LookupdProducer producer) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{producer.Hostname}/{producer.BroadcastAddress}/{producer.TcpPort}/{producer.HttpPort}");

    /// <summary>The producer a silo name describes; null for a silo that is not an OrleansNsq node.</summary>
    public static LookupdProducer? Parse(string? siloName)
    {
        if (siloName is null || !siloName.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = siloName[Prefix.Length..].Split('/');
        if (parts.Length != 4
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var tcpPort)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var httpPort))
            return null;
        return new LookupdProducer(parts[0], parts[1], tcpPort, httpPort, NsqdOptions.Version);
    }
}
