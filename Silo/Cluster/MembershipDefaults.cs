using Orleans.Configuration;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// Membership timings chosen so that a silo cut off from the others is declared dead, leaves every other silo's
/// lookupd and exits in well under 20 s (docs/CLUSTER.md, "Partitions", has the measured timeline). Orleans' own
/// defaults take about two minutes for the same: a one-minute table refresh is how a cut-off silo, which no other silo
/// can reach to tell, learns that it was declared dead.
/// <list type="bullet">
/// <item>Probes time out after 2 s at first (Orleans adapts the timeout to the observed round trips, between 1 s and
/// 8 s); three missed probes make a suspicion, two suspicions a death, as in Orleans.</item>
/// <item>The table is read every 5 s (Orleans: 60 s): the cut-off silo finds its own death within one refresh and stops
/// (Orleans kills a silo that reads itself dead), so clients pinned to it see closed connections, not a hang.</item>
/// <item>Votes expire after 30 s (Orleans: 2 min), so two unrelated slow probes minutes apart never add up to a death.</item>
/// </list>
/// Orleans keeps suppressing a suspicion while messages still arrive on a connection from the suspect, so a silo that is
/// only slow under load is not voted out. Each value can be set with a flag or Orleans:Membership:*.
/// </summary>
internal static class MembershipDefaults
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public const int NumMissedProbesLimit = 3;
    public const int NumVotesForDeathDeclaration = 2;
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);

    public static void Apply(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
    }
}
