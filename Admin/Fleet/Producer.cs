using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>One topic of a producer as nsqadmin lists it, with whether lookupd has it tombstoned there.</summary>
public sealed class ProducerTopic
{
    [JsonPropertyName("topic")] public string Topic { get; set; } = "";
    [JsonPropertyName("tombstoned")] public bool Tombstoned { get; set; }
}

/// <summary>
/// An nsqd as nsqadmin's /api/nodes shows it (clusterinfo.Producer): read from lookupd's /nodes or /lookup, or
/// built from an nsqd's /info and /stats. <see cref="Silo"/> is ours: set for a node that is an OrleansNsq silo.
/// </summary>
public sealed class Producer
{
    [JsonPropertyName("remote_addresses")] public List<string>? RemoteAddresses { get; set; }
    [JsonPropertyName("remote_address")] public string RemoteAddress { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("broadcast_address")] public string BroadcastAddress { get; set; } = "";
    [JsonPropertyName("tcp_port")] public int TcpPort { get; set; }
    [JsonPropertyName("http_port")] public int HttpPort { get; set; }
    [JsonPropertyName("version")] public string Version { get; set; } = "";

    [JsonPropertyName("topology_zone"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? TopologyZone { get; set; }

    [JsonPropertyName("topology_region"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public string? TopologyRegion { get; set; }

    [JsonPropertyName("topics")] public List<ProducerTopic>? Topics { get; set; }
    [JsonPropertyName("out_of_date")] public bool OutOfDate { get; set; }

    [JsonPropertyName("silo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SiloNode? Silo { get; set; }

    [JsonIgnore] public SemanticVersion VersionObj { get; set; } = SemanticVersion.Zero;

    /// <summary>Where nsqadmin reads the node's /stats and what it calls the node: <c>broadcast_address:http_port</c>.</summary>
    public string HttpAddress() => HostPort.Join(BroadcastAddress, HttpPort);

    public string TcpAddress() => HostPort.Join(BroadcastAddress, TcpPort);

    /// <summary>clusterinfo's Address(): N/A when lookupd gave no remote address.</summary>
    public string Address() => RemoteAddress.Length == 0 ? "N/A" : RemoteAddress;
}

/// <summary>lookupd's PEER/NODE object as it arrives: topics and tombstones are parallel arrays there.</summary>
internal sealed class LookupdPeer
{
    [JsonPropertyName("remote_address")] public string RemoteAddress { get; set; } = "";
    [JsonPropertyName("hostname")] public string Hostname { get; set; } = "";
    [JsonPropertyName("broadcast_address")] public string BroadcastAddress { get; set; } = "";
    [JsonPropertyName("tcp_port")] public int TcpPort { get; set; }
    [JsonPropertyName("http_port")] public int HttpPort { get; set; }
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("topics")] public List<string>? Topics { get; set; }
    [JsonPropertyName("tombstones")] public List<bool>? Tombstones { get; set; }
    [JsonPropertyName("topology_zone")] public string? TopologyZone { get; set; }
    [JsonPropertyName("topology_region")] public string? TopologyRegion { get; set; }

    /// <summary>As clusterinfo's Producer.UnmarshalJSON: topics zipped with their tombstones, the version parsed.</summary>
    public Producer ToProducer()
    {
        var producer = new Producer
        {
            RemoteAddress = RemoteAddress,
            Hostname = Hostname,
            BroadcastAddress = BroadcastAddress,
            TcpPort = TcpPort,
            HttpPort = HttpPort,
            Version = Version,
            TopologyZone = TopologyZone,
            TopologyRegion = TopologyRegion,
            VersionObj = SemanticVersion.ParseOrZero(Version),
        };
        if (Topics is { Count: > 0 })
        {
            producer.Topics = new List<ProducerTopic>(Topics.Count);
            for (var i = 0; i < Topics.Count; i++)
                producer.Topics.Add(new ProducerTopic { Topic = Topics[i], Tombstoned = Tombstones is not null && i < Tombstones.Count && Tombstones[i] });
        }
        return producer;
    }
}

/// <summary>Go's net.JoinHostPort and SplitHostPort, for the addresses nsqadmin builds and takes apart.</summary>
internal static class HostPort
{
    public static string Join(string host, int port) =>
        host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    public static bool TrySplit(string address, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out port)) return false;
        host = address[..colon].Trim('[', ']');
        return true;
    }
}
