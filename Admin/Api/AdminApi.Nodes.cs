using Microsoft.AspNetCore.Http;
using OrleansNsq.Admin.Fleet;

namespace OrleansNsq.Admin.Api;

public sealed partial class AdminApi
{
    /// <summary>GET /api/nodes: every producer; a node that is one of our silos also carries a <c>silo</c> object
    /// (nsqadmin's fields are unchanged).</summary>
    private async Task<ApiReply> Nodes(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var (producers, producersFailure) = await AskAsync(_fleet.GetProducersAsync(Lookupds(s), Nsqds(s), context.RequestAborted), "failed to get nodes", messages);
        if (producersFailure is not null) return producersFailure;
        var silos = await _silos.GetSilosAsync(Lookupds(s), context.RequestAborted);
        if (silos.Count > 0)
        {
            var described = await Task.WhenAll(producers.Select(p => _silos.DescribeAsync(p, silos, context.RequestAborted)));
            for (var i = 0; i < described.Length; i++) producers[i].Silo = described[i];
        }
        var nodes = producers.Count > 0 ? producers : null;
        return ApiReply.Json(new NodesResponse { Nodes = nodes, Message = WarningOf(messages) }, AdminJsonContext.Relaxed.NodesResponse);
    }

    /// <summary>GET /api/nodes/:node (node = <c>broadcast_address:http_port</c>): its topics with channels and
    /// clients, and the totals; 404 NODE_NOT_FOUND for a node no lookupd lists.</summary>
    private async Task<ApiReply> Node(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var node = values["node"];
        var (producers, producersFailure) = await AskAsync(_fleet.GetProducersAsync(Lookupds(s), Nsqds(s), context.RequestAborted), "failed to get producers", messages);
        if (producersFailure is not null) return producersFailure;
        var producer = producers.Find(p => p.HttpAddress() == node);
        if (producer is null) return ApiReply.Error(404, "NODE_NOT_FOUND");
        FleetResult<(List<TopicStats> Topics, Dictionary<string, ChannelStats> Channels)> stats;
        try
        {
            stats = await _fleet.GetNsqdStatsAsync([producer], "", "", includeClients: true, context.RequestAborted);
        }
        catch (FleetUnreachableException ex)
        {
            // nsqadmin reports this one whole, without its "failed to query any nsqd" wrapper.
            return Upstream("failed to get nsqd stats", ex);
        }
        var response = new NodeResponse { Node = node, Topics = stats.Value.Topics.Count > 0 ? stats.Value.Topics : null };
        foreach (var topic in stats.Value.Topics)
        {
            foreach (var channel in topic.Channels ?? []) response.TotalClients += channel.Clients?.Count ?? 0;
            response.TotalMessages += topic.MessageCount;
        }
        var silos = await _silos.GetSilosAsync(Lookupds(s), context.RequestAborted);
        if (silos.Count > 0) response.Silo = await _silos.DescribeAsync(producer, silos, context.RequestAborted);
        response.Message = WarningOf(messages);
        return ApiReply.Json(response, AdminJsonContext.Relaxed.NodeResponse);
    }

    /// <summary>GET /api/silos (ours, not nsqadmin's): Orleans membership as the lookupds list it, empty when they
    /// are real nsqlookupds.</summary>
    private async Task<ApiReply> Silos(HttpContext context, RouteValues values)
    {
        var silos = await _silos.GetSilosAsync(Lookupds(_settings.Snapshot), context.RequestAborted);
        return ApiReply.Json(new SilosResponse { Silos = silos }, AdminJsonContext.Relaxed.SilosResponse);
    }
}
