using Microsoft.AspNetCore.Http;
using OrleansNsq.Admin.Fleet;

using OrleansNsq.Protocol;

namespace OrleansNsq.Admin.Api;

/// <summary>nsqadmin's actions: 403 FORBIDDEN for a user not in --admin-user, 400 for a bad body or name, then the
/// fleet-wide calls; their failures come back as the warning message, all failed as 502.</summary>
public sealed partial class AdminApi
{
    private bool IsAdmin(HttpContext context) => _settings.IsAdmin(context.Request.Headers[_settings.Options.AclHttpHeader].FirstOrDefault());

    /// <summary>POST /api/topics {"topic":…,"channel":…}: creates the topic (and channel) fleet-wide.</summary>
    private async Task<ApiReply> CreateTopicChannel(HttpContext context, RouteValues values)
    {
        if (!IsAdmin(context)) return ApiReply.Error(403, "FORBIDDEN");
        var (body, error) = await RequestBody.ReadAsync(context, AdminBodyJsonContext.Default.CreateTopicChannelBody);
        if (body is null) return ApiReply.Error(400, error!);
        if (body.Topic is null || !NsqNames.IsValid(body.Topic)) return ApiReply.Error(400, "INVALID_TOPIC");
        var channel = body.Channel ?? "";
        if (channel.Length > 0 && !NsqNames.IsValid(channel)) return ApiReply.Error(400, "INVALID_CHANNEL");
        var s = _settings.Snapshot;
        AdminLog.Action(_logger, channel.Length > 0 ? "create_channel" : "create_topic", body.Topic!, channel);
        return await ActAsync("create topic/channel", () => _fleet.CreateTopicChannelAsync(body.Topic!, channel, Lookupds(s), context.RequestAborted));
    }

    /// <summary>DELETE /api/nodes/:node {"topic":…}: tombstones the node for the topic in every lookupd and
    /// deletes the topic on the node.</summary>
    private async Task<ApiReply> TombstoneNodeForTopic(HttpContext context, RouteValues values)
    {
        if (!IsAdmin(context)) return ApiReply.Error(403, "FORBIDDEN");
        var (body, _) = await RequestBody.ReadAsync(context, AdminBodyJsonContext.Default.TombstoneBody);
        if (body is null) return ApiReply.Error(400, "INVALID_BODY");
        if (body.Topic is null || !NsqNames.IsValid(body.Topic)) return ApiReply.Error(400, "INVALID_TOPIC");
        var node = values["node"];
        AdminLog.Action(_logger, "tombstone_topic_producer", body.Topic!, node);
        return await ActAsync("tombstone node for topic", () => _fleet.TombstoneNodeForTopicAsync(body.Topic!, node, Lookupds(_settings.Snapshot), context.RequestAborted));
    }

    /// <summary>DELETE /api/topics/:topic.</summary>
    private Task<ApiReply> DeleteTopic(HttpContext context, RouteValues values)
    {
        if (!IsAdmin(context)) return Task.FromResult(ApiReply.Error(403, "FORBIDDEN"));
        var s = _settings.Snapshot;
        var topic = values["topic"];
        AdminLog.Action(_logger, "delete_topic", topic, "");
        return ActAsync("delete topic", () => _fleet.DeleteTopicAsync(topic, Lookupds(s), Nsqds(s), context.RequestAborted));
    }

    /// <summary>DELETE /api/topics/:topic/:channel.</summary>
    private Task<ApiReply> DeleteChannel(HttpContext context, RouteValues values)
    {
        if (!IsAdmin(context)) return Task.FromResult(ApiReply.Error(403, "FORBIDDEN"));
        var s = _settings.Snapshot;
        var (topic, channel) = (values["topic"], values["channel"]);
        AdminLog.Action(_logger, "delete_channel", topic, channel);
        return ActAsync("delete channel", () => _fleet.DeleteChannelAsync(topic, channel, Lookupds(s), Nsqds(s), context.RequestAborted));
    }

    /// <summary>POST /api/topics/:topic {"action":"pause"|"unpause"|"empty"}.</summary>
    private Task<ApiReply> TopicAction(HttpContext context, RouteValues values) => TopicChannelActionAsync(context, values["topic"], "");

    /// <summary>POST /api/topics/:topic/:channel {"action":"pause"|"unpause"|"empty"}.</summary>
    private Task<ApiReply> ChannelAction(HttpContext context, RouteValues values) => TopicChannelActionAsync(context, values["topic"], values["channel"]);

    private async Task<ApiReply> TopicChannelActionAsync(HttpContext context, string topic, string channel)
    {
        if (!IsAdmin(context)) return ApiReply.Error(403, "FORBIDDEN");
        var (body, error) = await RequestBody.ReadAsync(context, AdminBodyJsonContext.Default.ActionBody);
        if (body is null) return ApiReply.Error(400, error!);
        var action = body.Action ?? "";
        if (action is not ("pause" or "unpause" or "empty")) return ApiReply.Error(400, "INVALID_ACTION");
        // nsqd's endpoints: /topic/pause, /channel/empty...
        var uri = (channel.Length > 0 ? "channel/" : "topic/") + action;
        var s = _settings.Snapshot;
        AdminLog.Action(_logger, $"{action}_{(channel.Length > 0 ? "channel" : "topic")}", topic, channel);
        return await ActAsync($"{action} topic/channel", () => _fleet.ProducersActionAsync(topic, channel, uri, Lookupds(s), Nsqds(s), context.RequestAborted));
    }

    private async Task<ApiReply> ActAsync(string what, Func<Task<IReadOnlyList<string>>> action)
    {
        IReadOnlyList<string> errors;
        try
        {
            errors = await action();
        }
        catch (FleetUnreachableException ex)
        {
            return Upstream($"failed to {what}", ex);
        }
        var messages = new List<string>();
        if (errors.Count > 0)
        {
            var text = string.Join('\n', errors);
            AdminLog.Partial(_logger, text);
            messages.Add(text);
        }
        return ApiReply.Json(new MessageResponse { Message = WarningOf(messages) }, AdminJsonContext.Relaxed.MessageResponse);
    }
}
