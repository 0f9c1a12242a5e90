using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// Whether this silo can confirm that it is a member the other silos reach, read from the membership table every
/// <see cref="CheckInterval"/> (one small query): its row must be Active, carry no live suspicion vote of another silo
/// (votes are what silos that cannot reach it write, seconds before they declare it dead), and the table must have been
/// readable recently. A silo cut off from the others thus answers <c>/ping</c> with <c>NOK</c> from the first vote on,
/// and stops for good once it reads that it was declared dead (Orleans stops it).
/// </summary>
internal sealed partial class MembershipHealth(
    IMembershipTable table,
    ILocalSiloDetails local,
    IOptions<ClusterMembershipOptions> membership,
    IOptions<NsqdOptions> nsqd,
    TimeProvider time,
    ILogger<MembershipHealth> logger) : BackgroundService, INodeHealth
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private volatile string? _problem;
    private DateTimeOffset _lastRead = time.GetUtcNow();

    public string? Problem => _problem;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        do
        {
            Report(await CheckAsync(stoppingToken).ConfigureAwait(false));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task<string?> CheckAsync(CancellationToken stoppingToken)
    {
        MembershipTableData data;
        try
        {
            data = await table.ReadAllAsync(stoppingToken).WaitAsync(nsqd.Value.PublishTimeout, time, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            var unread = time.GetUtcNow() - _lastRead;
            // One failed read is a blip; a table unreadable for two refresh periods is a silo that cannot tell whether
            // it is still a member.
            return unread > 2 * membership.Value.TableRefreshTimeout
                ? $"membership table unreadable for {unread.TotalSeconds:0}s: {e.GetBaseException().Message}"
                : _problem;
        }
        _lastRead = time.GetUtcNow();
        return Judge(data, local.SiloAddress, time.GetUtcNow().UtcDateTime, membership.Value.DeathVoteExpirationTimeout);
    }

    /// <summary>The problem the table shows for <paramref name="self"/>, or null.</summary>
    internal static string? Judge(MembershipTableData data, SiloAddress self, DateTime nowUtc, TimeSpan voteExpiration)
    {
        // A vote counts while it is live and its voter is an active member: the votes a cut-off silo cast against the
        // others before it was declared dead say nothing about them.
        var active = data.Members.Where(m => m.Item1.Status == SiloStatus.Active).Select(m => m.Item1.SiloAddress).ToHashSet();
        foreach (var (entry, _) in data.Members)
        {
            if (!entry.SiloAddress.Equals(self)) continue;
            if (entry.Status != SiloStatus.Active) return $"this silo is {entry.Status} in the membership table";
            var voters = entry.SuspectTimes?
                .Where(v => !v.Item1.Equals(self) && active.Contains(v.Item1) && nowUtc - v.Item2 < voteExpiration)
                .Select(v => v.Item1).Distinct().Count() ?? 0;
            return voters > 0 ? $"suspected dead by {voters} other silo(s): they cannot reach this silo" : null;
        }
        return "this silo has no row in the membership table";
    }

    private void Report(string? problem)
    {
        var before = _problem;
        _problem = problem;
        if (problem == before) return;
        if (problem is null) Log.Healthy(logger);
        else Log.Unhealthy(logger, problem);
    }

    private static partial class Log
    {
        [LoggerMessage(6010, LogLevel.Warning, "membership: /ping answers NOK: {Problem}")]
        public static partial void Unhealthy(ILogger logger, string problem);

        [LoggerMessage(6011, LogLevel.Information, "membership: this silo is an active member again, /ping answers OK")]
        public static partial void Healthy(ILogger logger);
    }
}
