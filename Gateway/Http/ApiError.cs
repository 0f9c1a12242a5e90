using System.Text;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// An NSQ HTTP error: status and code, rendered as <c>{"message":"CODE"}</c> (internal/http_api/api_response.go).
/// The body is built once per error value.
/// </summary>
internal sealed class ApiError
{
    private ApiError(int status, string code)
    {
        Status = status;
        Code = code;
        Body = Encoding.UTF8.GetBytes($$"""{"message":"{{code}}"}""");
    }

    /// <summary>nsqd's unhealthy <c>/ping</c>: 500 with <c>NOK - …</c> (a message made per answer).</summary>
    public static ApiError Unhealthy(string problem) => new(500, "NOK - " + problem);

    public int Status { get; }
    public string Code { get; }
    public byte[] Body { get; }

    public override string ToString() => $"{Status} {Code}";

    // Routing (httprouter's NotFound / MethodNotAllowed / PanicHandler).
    public static readonly ApiError NotFound = new(404, "NOT_FOUND");
    public static readonly ApiError MethodNotAllowed = new(405, "METHOD_NOT_ALLOWED");
    public static readonly ApiError InternalError = new(500, "INTERNAL_ERROR");
    /// <summary>nsqd's answer when the topic cannot take a publish; here also a publish the cluster did not answer
    /// within --publish-timeout.</summary>
    public static readonly ApiError Exiting = new(503, "EXITING");

    // Parameters.
    public static readonly ApiError InvalidRequest = new(400, "INVALID_REQUEST");
    public static readonly ApiError MissingArgTopic = new(400, "MISSING_ARG_TOPIC");
    public static readonly ApiError MissingArgChannel = new(400, "MISSING_ARG_CHANNEL");
    public static readonly ApiError MissingArgNode = new(400, "MISSING_ARG_NODE");
    /// <summary>nsqd /pub, /mpub, /topic/create, /topic/empty.</summary>
    public static readonly ApiError InvalidTopic = new(400, "INVALID_TOPIC");
    /// <summary>nsqd /channel/*, every lookupd endpoint.</summary>
    public static readonly ApiError InvalidArgTopic = new(400, "INVALID_ARG_TOPIC");
    public static readonly ApiError InvalidArgChannel = new(400, "INVALID_ARG_CHANNEL");
    public static readonly ApiError InvalidDefer = new(400, "INVALID_DEFER");
    public static readonly ApiError InvalidOption = new(400, "INVALID_OPTION");

    // Bodies.
    public static readonly ApiError MsgEmpty = new(400, "MSG_EMPTY");
    public static readonly ApiError MsgTooBig = new(413, "MSG_TOO_BIG");
    public static readonly ApiError BodyTooBig = new(413, "BODY_TOO_BIG");
    /// <summary>/mpub binary: the TCP codes without their <c>E_</c>.</summary>
    public static readonly ApiError BadBody = new(413, "BAD_BODY");
    public static readonly ApiError BadMessage = new(413, "BAD_MESSAGE");

    // State.
    public static readonly ApiError TopicNotFound = new(404, "TOPIC_NOT_FOUND");
    public static readonly ApiError ChannelNotFound = new(404, "CHANNEL_NOT_FOUND");

    // The cluster behind this node (ours: nsqd has none).
    /// <summary>A write the cluster did not confirm within --publish-timeout (a silo cut off, a host frozen). It may
    /// or may not have been applied; lookupd's writes are idempotent, so the caller retries.</summary>
    public static readonly ApiError ClusterUnavailable = new(503, "CLUSTER_UNAVAILABLE");
}
