using Microsoft.Extensions.Logging;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// The silos behind the lookupds: our lookupd's <c>GET /silos</c> (Orleans membership), merged over every lookupd.
/// A lookupd without it (a real nsqlookupd answers 404) or one that is down adds nothing: silo details are an
/// extra, never an error of nsqadmin's API.
/// </summary>
public sealed partial class SiloDirectory(UpstreamClient client, ILogger<SiloDirectory> logger)
{
    /// <summary>Every silo any lookupd lists, once per silo address, in the order the lookupds list them.</summary>
    public async Task<List<SiloMember>> GetSilosAsync(IReadOnlyList<string> lookupds, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(lookupds.Select(async address =>
        {
            try
            {
                return (await client.GetV1Async($"http://{address}/silos", FleetJsonContext.Default.SiloList, cancellationToken)).Silos ?? [];
            }
            catch (UpstreamException ex)
            {
                if (ex.Status != 404) NoSilos(logger, address, ex.Message);
                return [];
            }
        }));
        var silos = new List<SiloMember>();
        foreach (var list in answers)
            foreach (var silo in list)
                if (!silos.Exists(s => s.Address == silo.Address)) silos.Add(silo);
        return silos;
    }

    /// <summary>
    /// The <c>silo</c> object of a node: its membership entry (the live one, when a silo restarted on the same
    /// endpoints), with version and uptime from the node's /info and memory from its /stats. A node that does not
    /// answer keeps the membership part.
    /// </summary>
    public async Task<SiloNode?> DescribeAsync(Producer producer, IReadOnlyList<SiloMember> silos, CancellationToken cancellationToken)
    {
        var node = producer.HttpAddress();
        var member = silos.Where(s => s.Node() == node).OrderBy(s => s.Status == "Active" ? 0 : 1).FirstOrDefault();
        if (member is null) return null;
        var silo = new SiloNode
        {
            Name = member.Name,
            Address = member.Address,
            Status = member.Status,
            StartTime = member.StartTime,
            Topics = member.Topics,
            Channels = member.Channels,
        };
        try
        {
            var info = await client.GetV1Async($"http://{node}/info", FleetJsonContext.Default.NsqdInfo, cancellationToken);
            silo.Version = info.Version;
            if (info.StartTime > 0) silo.UptimeSeconds = Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - info.StartTime);
            var stats = await client.GetV1Async($"http://{node}/stats?format=json&include_clients=false", FleetJsonContext.Default.NsqdStats, cancellationToken);
            silo.Memory = stats.Memory;
        }
        catch (UpstreamException ex)
        {
            NoSilos(logger, node, ex.Message);
        }
        return silo;
    }

    [LoggerMessage(1, LogLevel.Debug, "no silo details from {Address}: {Reason}")]
    private static partial void NoSilos(ILogger logger, string address, string reason);
}
