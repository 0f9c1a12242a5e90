using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The parameter checks nsqd and nsqlookupd share, each in their order. A null return means the names are good.
/// Note the two spellings: nsqd's topic endpoints say INVALID_TOPIC, nsqd's channel endpoints and all of lookupd say
/// INVALID_ARG_TOPIC (internal/http_api/topic_channel_args.go).
/// </summary>
internal static class ApiArgs
{
    /// <summary>nsqd getTopicFromQuery (/pub, /mpub, /topic/create): INVALID_REQUEST, MISSING_ARG_TOPIC, INVALID_TOPIC.</summary>
    public static ApiError? TopicToCreate(QueryParams query, out string topic)
    {
        if (RequiredTopic(query, out topic) is { } error) return error;
        return NsqNames.IsValid(topic) ? null : ApiError.InvalidTopic;
    }

    /// <summary>INVALID_REQUEST, MISSING_ARG_TOPIC; the name itself is not checked (nsqd /topic/delete, /topic/pause,
    /// lookupd /lookup, /channels, /topic/delete).</summary>
    public static ApiError? RequiredTopic(QueryParams query, out string topic)
    {
        topic = "";
        if (!query.IsValid) return ApiError.InvalidRequest;
        return query.TryGet("topic", out topic) ? null : ApiError.MissingArgTopic;
    }

    /// <summary>GetTopicChannelArgs: INVALID_REQUEST, MISSING_ARG_TOPIC, INVALID_ARG_TOPIC, MISSING_ARG_CHANNEL,
    /// INVALID_ARG_CHANNEL.</summary>
    public static ApiError? TopicAndChannel(QueryParams query, out string topic, out string channel)
    {
        channel = "";
        if (RequiredTopic(query, out topic) is { } error) return error;
        if (!NsqNames.IsValid(topic)) return ApiError.InvalidArgTopic;
        if (!query.TryGet("channel", out channel)) return ApiError.MissingArgChannel;
        return NsqNames.IsValid(channel) ? null : ApiError.InvalidArgChannel;
    }

    /// <summary>nsqd's boolParams: true/1/false/0; anything else (or absent) is <paramref name="otherwise"/>.</summary>
    public static bool Flag(QueryParams query, string key, bool otherwise) =>
        query.GetOrEmpty(key) switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => otherwise,
        };
}
