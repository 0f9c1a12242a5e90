namespace OrleansNsq.Admin.Fleet;

/// <summary>nsqadmin's orderings (TopicStatsByHost, ClientsByHost, ProducersByHost...), kept stable so nodes of one
/// host keep the order they were read in.</summary>
internal static class FleetOrder
{
    public static void ByHostname<T>(List<T> items, Func<T, string> hostname)
    {
        var sorted = items.OrderBy(hostname, StringComparer.Ordinal).ToList();
        items.Clear();
        items.AddRange(sorted);
    }

    /// <summary>ClientStatsByNodeTopology: by node; within a node, clients in its zone, then its region, first.</summary>
    public static void ClientsByNodeTopology(List<ClientStats> clients)
    {
        var sorted = clients.Order(Comparer<ClientStats>.Create(CompareByNodeTopology)).ToList();
        clients.Clear();
        clients.AddRange(sorted);
    }

    private static int CompareByNodeTopology(ClientStats a, ClientStats b)
    {
        if (a.Node != b.Node) return string.CompareOrdinal(a.Node, b.Node);
        var region = a.NodeTopologyRegion;
        var zone = a.NodeTopologyZone;
        static int Rank(ClientStats c, string? region, string? zone) =>
            c.TopologyRegion == region && c.TopologyZone == zone ? 0 : c.TopologyRegion == region ? 1 : 2;
        var byRank = Rank(a, region, zone).CompareTo(Rank(b, region, zone));
        if (byRank != 0) return byRank;
        return a.TopologyRegion == b.TopologyRegion
            ? string.CompareOrdinal(a.TopologyZone, b.TopologyZone)
            : string.CompareOrdinal(a.TopologyRegion, b.TopologyRegion);
    }
}
