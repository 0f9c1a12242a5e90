using System.Globalization;
using System.Text.Json;
using OrleansNsq.Gateway.Producers;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// GET /silos, our extension of nsqlookupd's API (docs/ADMIN.md): every silo of Orleans membership, dead ones too,
/// with its status and times, the NSQ endpoints its gateway serves (the producer lookupd lists for it) and the
/// topics and channels activated on it. The admin adds these to the nodes that are silos; a real nsqlookupd answers
/// 404 and the admin goes on without them. The management grain's calls take no cancellation token; they are bounded
/// like every other (the statistics ask every silo, and a frozen one would hold the answer for 30 s).
/// </summary>
internal sealed partial class LookupdApi
{
    private async ValueTask<ApiResult> Silos(ApiRequest request, ClusterCalls cluster)
    {
        var management = _grains.GetGrain<IManagementGrain>(0);
        var members = await _members.ReadAsync(cluster, _ => new(management.GetDetailedHosts(onlyActive: false)));
        var producers = await ProducersAsync(cluster);
        var active = Array.FindAll(members, m => m.Status == SiloStatus.Active);
        var activeAddresses = Array.ConvertAll(active, m => m.SiloAddress);
        var hosted = await _hosted.ReadAsync(cluster, _ => new(HostedAsync(management, activeAddresses)));
        var silos = members.OrderBy(m => m.SiloName, StringComparer.Ordinal).ThenBy(m => m.StartTime)
            .Select(m => (Member: m, Producer: ProducerOf(m, producers, active.Length), Hosted: hosted.GetValueOrDefault(m.SiloAddress)))
            .ToArray();
        return ApiResult.Json(silos, static (json, silos) =>
        {
            json.WriteStartObject();
            json.WriteStartArray("silos");
            foreach (var (member, producer, hosted) in silos) WriteSilo(json, member, producer, hosted);
            json.WriteEndArray();
            json.WriteEndObject();
        }, sizeHint: 1024);
    }

    private static void WriteSilo(Utf8JsonWriter json, MembershipEntry member, LookupdProducer? producer, HostedNames? hosted)
    {
        json.WriteStartObject();
        json.WriteString("name", member.SiloName);
        json.WriteString("address", member.SiloAddress.ToParsableString());
        json.WriteString("hostname", member.HostName);
        json.WriteString("status", member.Status.ToString());
        json.WriteString("start_time", Rfc3339(member.StartTime));
        json.WriteString("i_am_alive_time", Rfc3339(member.IAmAliveTime));
        if (producer is null) json.WriteNull("producer");
        else
        {
            json.WriteStartObject("producer");
            json.WriteString("hostname", producer.Hostname);
            json.WriteString("broadcast_address", producer.BroadcastAddress);
            json.WriteNumber("tcp_port", producer.TcpPort);
            json.WriteNumber("http_port", producer.HttpPort);
            json.WriteEndObject();
        }
        WriteStrings(json, "topics", hosted?.Topics.Order(StringComparer.Ordinal).ToArray() ?? []);
        WriteStrings(json, "channels", hosted?.Channels.Order(StringComparer.Ordinal).ToArray() ?? []);
        json.WriteEndObject();
    }

    private static string Rfc3339(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The producer a silo's name describes (ProducerSiloName). A single node started on port 0 names itself before
    /// Kestrel binds, so a name with port 0 is completed from the one producer of that host when there is exactly
    /// one. Kubernetes-hosted silos (named after their pods) have none here.
    /// </summary>
    private static LookupdProducer? ProducerOf(MembershipEntry member, IReadOnlyList<LookupdProducer> producers, int activeSilos)
    {
        var named = ProducerSiloName.Parse(member.SiloName);
        if (named is null || (named.TcpPort != 0 && named.HttpPort != 0)) return named;
        var sameHost = producers.Where(p => p.Hostname == named.Hostname && p.BroadcastAddress == named.BroadcastAddress).ToArray();
        return sameHost.Length == 1 && activeSilos == 1 && member.Status == SiloStatus.Active ? sameHost[0] : named;
    }

    private sealed record HostedNames(List<string> Topics, List<string> Channels);

    /// <summary>The topic and channel grains active on each silo (the management grain asks every silo).</summary>
    private static async Task<Dictionary<SiloAddress, HostedNames>> HostedAsync(IManagementGrain management, SiloAddress[] silos)
    {
        var hosted = new Dictionary<SiloAddress, HostedNames>();
        if (silos.Length == 0) return hosted;
        foreach (var grain in await management.GetDetailedGrainStatistics(null, silos))
        {
            var type = grain.GrainId.Type.ToString();
            if (type is not ("topic" or "channel")) continue;
            if (!hosted.TryGetValue(grain.SiloAddress, out var names)) hosted[grain.SiloAddress] = names = new HostedNames([], []);
            (type == "topic" ? names.Topics : names.Channels).Add(grain.GrainId.Key.ToString()!);
        }
        return hosted;
    }
}
