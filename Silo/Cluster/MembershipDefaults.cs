using Orleans.Configuration;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// Membership timings chosen so that a silo cut off from the others is declared dead, leaves every other silo's
/// lookupd and exits in well under 20 s (docs/CLUSTER.md, "Partitions", has the measured timeline). Orleans' own
/// defaults take about two minutes for the same: a one-minute table refresh is how a cut-off silo, which no other silo
/// can reach to tell, learns that it was declared dead.
/// <list type="bullet">
/// <item>Probes time out after 2 s at first (Orleans adapts the timeout to the observed round trips, between 1 s and,
/// here, 3 s); three missed probes make a suspicion, two suspicions a death, as in Orleans.</item>
/// <item>Orleans holds back a suspicion while the suspect's connection has delivered a message within the last
/// MaxProbeTimeout × NumMissedProbesLimit, so a silo that is slow under load but still talking is not voted out. With
/// Orleans' MaxProbeTimeout (four times ProbeTimeout, 8 s) that window is 24 s, which alone made a cut-off silo live
/// 24 s after the cut; at 3 s it is 9 s.</item>
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
    /// <summary>MaxProbeTimeout unless configured: 1.5 × ProbeTimeout (3 s at the default 2 s).</summary>
    public const double MaxProbeTimeoutFactor = 1.5;
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

    /// <summary>After the configuration is bound: a MaxProbeTimeout it does not set follows its ProbeTimeout.</summary>
    public static void ApplyMaxProbeTimeout(ClusterMembershipOptions options, bool configured)
    {
        if (!configured) options.MaxProbeTimeout = options.ProbeTimeout * MaxProbeTimeoutFactor;
    }
}
