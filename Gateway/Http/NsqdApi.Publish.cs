using Orleans.Concurrency;
using System.Globalization;
using OrleansNsq.Messages;
using OrleansNsq.Gateway.Publishing;

namespace OrleansNsq.Gateway.Http;

internal sealed partial class NsqdApi
{
    // Concurrent /pub requests to one topic share batches (one grain call per round trip, not per request).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TopicPublishQueue> _publishQueues = new(StringComparer.Ordinal);

    /// <summary>
    /// POST /pub?topic=&amp;defer=: sizes before names (MSG_EMPTY wins over MISSING_ARG_TOPIC), then the topic is
    /// created, then <c>defer</c> is checked, then one publish of one message.
    /// </summary>
    private async ValueTask<ApiResult> Pub(ApiRequest request)
    {
        var options = _options.Value;
        if (request.Request.ContentLength > options.MaxMsgSize) return ApiError.MsgTooBig;
        // one byte over the limit tells "too big" from "exactly the limit"
        var readLimit = options.MaxMsgSize + 1;
        var body = await RequestBody.ReadAsync(request.Context, readLimit, request.Context.RequestAborted);
        if (body.Length == readLimit) return ApiError.MsgTooBig;
        if (body.Length == 0) return ApiError.MsgEmpty;

        if (ApiArgs.TopicToCreate(request.Query, out var topicName) is { } error) return error;
        var topic = _grains.Topic(topicName);
        if (!TryParseDefer(request.Query, options.MaxReqTimeout, out var deferMs))
        {
            // nsqd created the topic before looking at defer
            await topic.CreateAsync();
            return ApiError.InvalidDefer;
        }
        var queue = _publishQueues.GetOrAdd(topicName, static (name, api) =>
            new TopicPublishQueue(api._grains.Topic(name), api._options.Value.PublishTimeout, api._time), this);
        try
        {
            await queue.PublishAsync(body, deferMs);
        }
        catch (ClusterTimeoutException)
        {
            return ApiError.Exiting;
        }
        return ApiResult.Ok;
    }

    /// <summary>
    /// POST /mpub?topic=&amp;binary=: BODY_TOO_BIG on Content-Length, then names (the topic is created even when the
    /// body is then refused or holds no message), then the body. The whole request is one batch, one grain call.
    /// </summary>
    private async ValueTask<ApiResult> Mpub(ApiRequest request)
    {
        var options = _options.Value;
        if (request.Request.ContentLength > options.MaxBodySize) return ApiError.BodyTooBig;
        if (ApiArgs.TopicToCreate(request.Query, out var topicName) is { } error) return error;
        // absent = text; true/1 = binary, false/0 = text, any other value = binary (nsqd logs it as deprecated)
        var binary = request.Query.TryGet("binary", out _) && ApiArgs.Flag(request.Query, "binary", otherwise: true);

        var readLimit = options.MaxBodySize + 1;
        var body = await RequestBody.ReadAsync(request.Context, readLimit, request.Context.RequestAborted);
        var bodyError = binary
            ? MpubBody.TryParseBinary(body, truncated: body.Length == readLimit, options.MaxMsgSize, options.MaxBodySize, out var batch)
            : MpubBody.TryParseText(body, readLimit, options.MaxMsgSize, out batch);

        var topic = _grains.Topic(topicName);
        if (bodyError is not null || batch.Count == 0)
        {
            await topic.CreateAsync();
            return bodyError is null ? ApiResult.Ok : bodyError;
        }
        try
        {
            await ClusterCall.WithinAsync((topic, new Immutable<PublishBatch>(batch)),
                static (call, token) => call.Item1.PublishAsync(call.Item2, token), options.PublishTimeout, _time);
        }
        catch (ClusterTimeoutException)
        {
            return ApiError.Exiting;
        }
        return ApiResult.Ok;
    }

    /// <summary>
    /// <c>defer</c> in ms (Go ParseInt: optional sign, digits only); 0…max-req-timeout, else INVALID_DEFER.
    /// Absent means no defer.
    /// </summary>
    private static bool TryParseDefer(QueryParams query, TimeSpan maxReqTimeout, out int deferMs)
    {
        deferMs = 0;
        if (!query.TryGet("defer", out var text)) return true;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)) return false;
        var maxMs = Math.Min((long)maxReqTimeout.TotalMilliseconds, int.MaxValue);
        if (ms < 0 || ms > maxMs) return false;
        deferMs = (int)ms;
        return true;
    }
}
