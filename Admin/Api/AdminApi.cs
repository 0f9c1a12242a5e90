using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansNsq.Admin.Configuration;
using OrleansNsq.Admin.Fleet;
using OrleansNsq.Admin.Ui;

namespace OrleansNsq.Admin.Api;

/// <summary>
/// nsqadmin's HTTP server (nsqadmin/http.go): the page routes, all answered by the single-page UI, and the /api
/// routes with nsqadmin's shapes and errors. A handler that reaches no lookupd or nsqd at all is 502
/// <c>UPSTREAM_ERROR: …</c>; one that reaches some adds their errors as <c>"message": "WARNING: …"</c>.
/// </summary>
public sealed partial class AdminApi
{
    private readonly AdminSettings _settings;
    private readonly ClusterInfo _fleet;
    private readonly SiloDirectory _silos;
    private readonly UiAssets _assets;
    private readonly ILogger _logger;

    public AdminApi(AdminSettings settings, ClusterInfo fleet, SiloDirectory silos, UiAssets assets, ILogger<AdminApi> logger)
    {
        _settings = settings;
        _fleet = fleet;
        _silos = silos;
        _assets = assets;
        _logger = logger;
        Routes = new AdminRouter()
            .Get("/", Index)
            .Get("/ping", static (_, _) => Task.FromResult(ApiReply.PlainText("OK")))
            .Get("/topics", Index)
            .Get("/topics/:topic", Index)
            .Get("/topics/:topic/:channel", Index)
            .Get("/nodes", Index)
            .Get("/nodes/:node", Index)
            .Get("/counter", Index)
            .Get("/lookup", Index)
            .Get("/api/topics", Topics)
            .Get("/api/topics/:topic", Topic)
            .Get("/api/topics/:topic/:channel", Channel)
            .Get("/api/nodes", Nodes)
            .Get("/api/nodes/:node", Node)
            .Get("/api/silos", Silos)
            .Post("/api/topics", CreateTopicChannel)
            .Post("/api/topics/:topic", TopicAction)
            .Post("/api/topics/:topic/:channel", ChannelAction)
            .Delete("/api/nodes/:node", TombstoneNodeForTopic)
            .Delete("/api/topics/:topic", DeleteTopic)
            .Delete("/api/topics/:topic/:channel", DeleteChannel)
            .Get("/api/counter", Counter)
            .Get("/api/graphite", Graphite)
            .Get("/config/:opt", Config)
            .Put("/config/:opt", Config);
    }

    public AdminRouter Routes { get; }

    public UiAssets Assets => _assets;

    private IReadOnlyList<string> Lookupds(AdminSnapshot s) => _settings.Lookupds(s);

    private IReadOnlyList<string> Nsqds(AdminSnapshot s) => _settings.Nsqds(s);

    private Task<ApiReply> Index(HttpContext context, RouteValues values) =>
        Task.FromResult(_assets.Index is { } index ? ApiReply.Asset(index) : ApiReply.Error(404, "NOT_FOUND"));

    /// <summary>maybeWarnMsg: "WARNING: " and the messages joined by "; ", or "".</summary>
    private static string WarningOf(List<string> messages) => messages.Count > 0 ? "WARNING: " + string.Join("; ", messages) : "";

    private ApiReply Upstream(string what, Exception ex)
    {
        AdminLog.UpstreamFailed(_logger, what, ex.Message);
        return ApiReply.Error(502, $"UPSTREAM_ERROR: {ex.Message}");
    }

    /// <summary>One fleet query of a handler: its value, with a partial answer's message collected into
    /// <paramref name="messages"/>, or nsqadmin's 502 when nothing answered.</summary>
    private async Task<(T Value, ApiReply? Failure)> AskAsync<T>(Task<FleetResult<T>> query, string failure, List<string> messages)
    {
        try
        {
            var result = await query;
            Collect(result, messages);
            return (result.Value, null);
        }
        catch (FleetUnreachableException ex)
        {
            return (default!, Upstream(failure, ex));
        }
    }

    private void Collect<T>(FleetResult<T> result, List<string> messages)
    {
        if (!result.IsPartial) return;
        AdminLog.Partial(_logger, result.ErrorText);
        messages.Add(result.ErrorText);
    }

    /// <summary>GET /api/topics[?inactive=true]: every topic the lookupds (or nsqds) know; with inactive=true the
    /// topics without any producer, each with its channels.</summary>
    private async Task<ApiReply> Topics(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var lookupds = Lookupds(s);
        var (topics, topicsFailure) = await AskAsync(lookupds.Count != 0
            ? _fleet.GetLookupdTopicsAsync(lookupds, context.RequestAborted)
            : _fleet.GetNsqdTopicsAsync(Nsqds(s), context.RequestAborted), "failed to get topics", messages);
        if (topicsFailure is not null) return topicsFailure;
        if (context.Request.Query["inactive"] == "true")
        {
            var inactive = new InactiveTopicsResponse();
            foreach (var topic in lookupds.Count == 0 ? [] : topics ?? [])
            {
                var producers = await IgnoringFailureAsync(() => _fleet.GetLookupdTopicProducersAsync(topic, lookupds, context.RequestAborted));
                if (producers is { Count: > 0 }) continue;
                inactive.Topics[topic] = await IgnoringFailureAsync(() => _fleet.GetLookupdTopicChannelsAsync(topic, lookupds, context.RequestAborted));
            }
            inactive.Message = WarningOf(messages);
            return ApiReply.Json(inactive, AdminJsonContext.Relaxed.InactiveTopicsResponse);
        }
        return ApiReply.Json(new TopicsResponse { Topics = topics, Message = WarningOf(messages) }, AdminJsonContext.Relaxed.TopicsResponse);
    }

    /// <summary>nsqadmin ignores the errors of the inactive-topic lookups (<c>producers, _ := …</c>).</summary>
    private static async Task<T?> IgnoringFailureAsync<T>(Func<Task<FleetResult<T>>> query)
    {
        try
        {
            return (await query()).Value;
        }
        catch (FleetUnreachableException)
        {
            return default;
        }
    }

    /// <summary>GET /api/topics/:topic: the topic summed over its producers, with each node's figures and the
    /// channels summed over nodes.</summary>
    private async Task<ApiReply> Topic(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var topic = values["topic"];
        var (producers, producersFailure) = await AskAsync(_fleet.GetTopicProducersAsync(topic, Lookupds(s), Nsqds(s), context.RequestAborted), "failed to get topic producers", messages);
        if (producersFailure is not null) return producersFailure;
        var (stats, statsFailure) = await AskAsync(_fleet.GetNsqdStatsAsync(producers, topic, "", includeClients: false, context.RequestAborted), "failed to get topic metadata", messages);
        if (statsFailure is not null) return statsFailure;
        var all = new TopicStatsResponse { TopicName = topic };
        foreach (var node in stats.Topics) all.Add(node);
        all.Message = WarningOf(messages);
        return ApiReply.Json(all, AdminJsonContext.Relaxed.TopicStatsResponse);
    }

    /// <summary>
    /// GET /api/topics/:topic/:channel: the channel summed over the topic's producers, with every client. A channel
    /// no producer has is nsqadmin's 500 INTERNAL_ERROR (its handler dereferences the missing channel).
    /// </summary>
    private async Task<ApiReply> Channel(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var topic = values["topic"];
        var channel = values["channel"];
        var (producers, producersFailure) = await AskAsync(_fleet.GetTopicProducersAsync(topic, Lookupds(s), Nsqds(s), context.RequestAborted), "failed to get topic producers", messages);
        if (producersFailure is not null) return producersFailure;
        var (stats, statsFailure) = await AskAsync(_fleet.GetNsqdStatsAsync(producers, topic, channel, includeClients: true, context.RequestAborted), "failed to get channel metadata", messages);
        if (statsFailure is not null) return statsFailure;
        if (!stats.Channels.TryGetValue(channel, out var sum)) return ApiReply.Error(500, "INTERNAL_ERROR");
        var response = new ChannelStatsResponse();
        CopyChannel(sum, response);
        if (response.Clients is { } clients) FleetOrder.ClientsByNodeTopology(clients);
        response.Message = WarningOf(messages);
        return ApiReply.Json(response, AdminJsonContext.Relaxed.ChannelStatsResponse);
    }

    private static void CopyChannel(ChannelStats from, ChannelStats to)
    {
        to.Node = from.Node;
        to.Hostname = from.Hostname;
        to.TopicName = from.TopicName;
        to.ChannelName = from.ChannelName;
        to.Depth = from.Depth;
        to.MemoryDepth = from.MemoryDepth;
        to.BackendDepth = from.BackendDepth;
        to.InFlightCount = from.InFlightCount;
        to.DeferredCount = from.DeferredCount;
        to.RequeueCount = from.RequeueCount;
        to.TimeoutCount = from.TimeoutCount;
        to.MessageCount = from.MessageCount;
        to.DeliveryMsgCount = from.DeliveryMsgCount;
        to.ZoneLocalMsgCount = from.ZoneLocalMsgCount;
        to.RegionLocalMsgCount = from.RegionLocalMsgCount;
        to.GlobalMsgCount = from.GlobalMsgCount;
        to.ClientCount = from.ClientCount;
        to.NodeStats = from.NodeStats;
        to.Clients = from.Clients;
        to.Paused = from.Paused;
        to.E2eProcessingLatency = from.E2eProcessingLatency;
    }

    /// <summary>GET /api/counter: every channel's message count per node, keyed <c>topic:channel:node</c>.</summary>
    private async Task<ApiReply> Counter(HttpContext context, RouteValues values)
    {
        var messages = new List<string>();
        var s = _settings.Snapshot;
        var (producers, producersFailure) = await AskAsync(_fleet.GetProducersAsync(Lookupds(s), Nsqds(s), context.RequestAborted), "failed to get counter producer list", messages);
        if (producersFailure is not null) return producersFailure;
        var (stats, statsFailure) = await AskAsync(_fleet.GetNsqdStatsAsync(producers, "", "", includeClients: false, context.RequestAborted), "failed to get nsqd stats", messages);
        if (statsFailure is not null) return statsFailure;
        var response = new CounterResponse();
        foreach (var channel in stats.Channels.Values)
        {
            foreach (var node in channel.NodeStats ?? [])
            {
                var key = $"{channel.TopicName}:{channel.ChannelName}:{node.Node}";
                if (!response.Stats.TryGetValue(key, out var counter))
                    response.Stats[key] = counter = new CounterStats { Node = node.Node, TopicName = channel.TopicName, ChannelName = channel.ChannelName };
                counter.MessageCount += node.MessageCount;
            }
        }
        response.Message = WarningOf(messages);
        return ApiReply.Json(response, AdminJsonContext.Relaxed.CounterResponse);
    }

    /// <summary>
    /// GET /api/graphite?metric=rate&amp;target=: nsqadmin's Graphite proxy. There is no --graphite-url here (the UI
    /// draws its rates from successive /api answers), so after nsqadmin's argument checks it fails as nsqadmin
    /// does without a reachable Graphite: 500 INTERNAL_ERROR.
    /// </summary>
    private Task<ApiReply> Graphite(HttpContext context, RouteValues values)
    {
        var query = context.Request.Query;
        if (query["metric"] != "rate") return Task.FromResult(ApiReply.Error(400, "INVALID_ARG_METRIC"));
        if (!query.ContainsKey("target")) return Task.FromResult(ApiReply.Error(400, "INVALID_ARG_TARGET"));
        AdminLog.NoGraphite(_logger);
        return Task.FromResult(ApiReply.Error(500, "INTERNAL_ERROR"));
    }
}
