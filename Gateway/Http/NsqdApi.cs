using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Options;

using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// nsqd's HTTP API (nsqd 1.3.0: nsqd/http.go): the route table, and the small handlers. Publishing is in
/// NsqdApi.Publish.cs, /stats in NsqdApi.Stats.cs. Handlers check in nsqd's order and make one grain call to act.
/// </summary>
internal sealed partial class NsqdApi
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<NsqdOptions> _options;
    private readonly NodeIdentity _node;
    private readonly IClientRegistry? _clients;
    private readonly TimeProvider _time;
    private readonly TopicStatsReader _topicStats;
    private readonly INodeHealth? _health;

    public NsqdApi(IServiceProvider services)
    {
        _grains = services.GetRequiredService<IGrainFactory>();
        _options = services.GetRequiredService<IOptions<NsqdOptions>>();
        _node = services.GetRequiredService<NodeIdentity>();
        _clients = services.GetService<IClientRegistry>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _topicStats = services.GetRequiredService<TopicStatsReader>();
        _health = services.GetService<INodeHealth>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq.Gateway.Http.Nsqd");

        Routes = new RouteTable(logger)
            .Get("/ping", Ping, Envelope.PlainText)
            .Get("/info", Info)
            .Post("/pub", Pub)
            .Post("/mpub", Mpub)
            // nsqd before 1.0 named them /put and /mput; the note NSQ users start from still publishes with /put.
            .Post("/put", Pub)
            .Post("/mput", Mpub)
            .Get("/stats", Stats)
            .Post("/topic/create", Bounded(TopicCreate))
            .Post("/topic/delete", Bounded(TopicDelete))
            .Post("/topic/empty", Bounded(TopicEmpty))
            .Post("/topic/pause", Bounded(r => TopicPause(r, paused: true)))
            .Post("/topic/unpause", Bounded(r => TopicPause(r, paused: false)))
            .Post("/channel/create", Bounded(ChannelCreate))
            .Post("/channel/delete", Bounded(ChannelDelete))
            .Post("/channel/empty", Bounded(ChannelEmpty))
            .Post("/channel/pause", Bounded(r => ChannelPause(r, paused: true)))
            .Post("/channel/unpause", Bounded(r => ChannelPause(r, paused: false)))
            .Get("/config/:opt", Config);
    }

    public RouteTable Routes { get; }

    /// <summary>GET /ping: <c>OK</c> as plain text, or nsqd's 500 <c>NOK - …</c> while the node's health
    /// (<see cref="INodeHealth"/>: in a cluster, whether it can confirm its membership) names a problem. Storage faults
    /// answer the publishes themselves (E_PUB_FAILED), so they do not turn /ping.</summary>
    private ValueTask<ApiResult> Ping(ApiRequest request) =>
        new(_health?.Problem is { } problem ? ApiError.Unhealthy(problem) : ApiResult.Ok);

    /// <summary>GET /info: the ten keys in nsqd's order; durations in Go nanoseconds.</summary>
    private ValueTask<ApiResult> Info(ApiRequest request)
    {
        var options = _options.Value;
        return new(ApiResult.Json((Node: _node, Options: options), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteString("version", NsqdOptions.Version);
            json.WriteString("broadcast_address", s.Options.BroadcastAddress);
            json.WriteString("hostname", s.Node.Hostname);
            json.WriteNumber("http_port", s.Node.HttpPort);
            json.WriteNumber("tcp_port", s.Node.TcpPort);
            json.WriteNumber("start_time", s.Node.StartTime.ToUnixTimeSeconds());
            json.WriteNumber("max_heartbeat_interval", GoDuration.Nanoseconds(s.Options.MaxHeartbeatInterval));
            json.WriteNumber("max_output_buffer_size", s.Options.MaxOutputBufferSize);
            json.WriteNumber("max_output_buffer_timeout", GoDuration.Nanoseconds(s.Options.MaxOutputBufferTimeout));
            json.WriteNumber("max_deflate_level", s.Options.MaxDeflateLevel);
            json.WriteEndObject();
        }));
    }

    /// <summary>A topic or channel change answered within --publish-timeout: 503 CLUSTER_UNAVAILABLE when the cluster
    /// does not answer in time (the change may still be made; each of them can be repeated).</summary>
    private ApiHandler Bounded(ApiHandler handler) => async request =>
    {
        try
        {
            return await handler(request).AsTask().WaitAsync(_options.Value.PublishTimeout, _time);
        }
        catch (Exception exception) when (ClusterCalls.IsUnanswered(exception))
        {
            return ApiError.ClusterUnavailable;
        }
    };

    /// <summary>POST /topic/create: INVALID_REQUEST, MISSING_ARG_TOPIC, INVALID_TOPIC.</summary>
    private async ValueTask<ApiResult> TopicCreate(ApiRequest request)
    {
        if (ApiArgs.TopicToCreate(request.Query, out var topic) is { } error) return error;
        await _grains.Topic(topic).CreateAsync();
        return ApiResult.Empty;
    }

    /// <summary>POST /topic/delete: the name is not validated; an invalid one cannot exist, so it is TOPIC_NOT_FOUND
    /// without a grain call.</summary>
    private async ValueTask<ApiResult> TopicDelete(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var deleted = NsqNames.IsValid(topic) && await _grains.Topic(topic).DeleteAsync();
        return deleted ? ApiResult.Empty : ApiError.TopicNotFound;
    }

    /// <summary>POST /topic/empty: unlike delete and pause, the name is validated (INVALID_TOPIC).</summary>
    private async ValueTask<ApiResult> TopicEmpty(ApiRequest request)
    {
        if (ApiArgs.TopicToCreate(request.Query, out var topic) is { } error) return error;
        return await _grains.Topic(topic).EmptyAsync() ? ApiResult.Empty : ApiError.TopicNotFound;
    }

    /// <summary>POST /topic/pause and /topic/unpause: no name validation, TOPIC_NOT_FOUND.</summary>
    private async ValueTask<ApiResult> TopicPause(ApiRequest request, bool paused)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var found = NsqNames.IsValid(topic) && await _grains.Topic(topic).SetPausedAsync(paused);
        return found ? ApiResult.Empty : ApiError.TopicNotFound;
    }

    /// <summary>POST /channel/create: the topic must exist (it is not created), the channel is.</summary>
    private async ValueTask<ApiResult> ChannelCreate(ApiRequest request)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        var grain = _grains.Topic(topic);
        if (!await grain.ExistsAsync()) return ApiError.TopicNotFound;
        await grain.CreateChannelAsync(channel);
        return ApiResult.Empty;
    }

    private async ValueTask<ApiResult> ChannelDelete(ApiRequest request)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        var grain = _grains.Topic(topic);
        if (!await grain.ExistsAsync()) return ApiError.TopicNotFound;
        return await grain.DeleteChannelAsync(channel) ? ApiResult.Empty : ApiError.ChannelNotFound;
    }

    private async ValueTask<ApiResult> ChannelEmpty(ApiRequest request)
    {
        var (error, channel) = await ExistingChannel(request);
        if (error is not null) return error;
        await channel!.EmptyAsync();
        return ApiResult.Empty;
    }

    private async ValueTask<ApiResult> ChannelPause(ApiRequest request, bool paused)
    {
        var (error, channel) = await ExistingChannel(request);
        if (error is not null) return error;
        await channel!.SetPausedAsync(paused);
        return ApiResult.Empty;
    }

    /// <summary>getExistingTopicFromQuery + GetExistingChannel: the args, TOPIC_NOT_FOUND, CHANNEL_NOT_FOUND.</summary>
    private async ValueTask<(ApiError? Error, IChannelGrain? Channel)> ExistingChannel(ApiRequest request)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return (error, null);
        var grain = _grains.Topic(topic);
        if (!await grain.ExistsAsync()) return (ApiError.TopicNotFound, null);
        var channels = await grain.GetChannelsAsync();
        return Array.IndexOf(channels, channel) >= 0
            ? (null, _grains.Channel(topic, channel))
            : (ApiError.ChannelNotFound, null);
    }
}
