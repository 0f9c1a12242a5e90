using Microsoft.AspNetCore.Http;

namespace OrleansNsq.Gateway.Http;

/// <summary>How a route's result is sent (internal/http_api: the <c>V1</c> and <c>PlainText</c> decorators).</summary>
internal enum Envelope
{
    /// <summary>Every API endpoint: <c>X-NSQ-Content-Type: nsq; version=1.0</c>, errors as <c>{"message":"CODE"}</c>.</summary>
    V1,
    /// <summary>/ping only: the text as is, no NSQ header; an error is its code as text with its status.</summary>
    PlainText,
}

/// <summary>
/// The one writer of every HTTP response of both APIs. go-nsq only reads a lookupd body directly when
/// <c>X-NSQ-Content-Type</c> is <c>nsq; version=1.0</c>; without it, it looks for the 0.x <c>data</c> wrapper and sees
/// no producers (nsqlookupd 1.3.0: nsqlookupd/http.go), so V1 responses carry it on success and on error alike.
/// </summary>
internal static class ResponseEnvelope
{
    public const string NsqContentTypeHeader = "X-NSQ-Content-Type";
    public const string NsqContentTypeV1 = "nsq; version=1.0";
    /// <summary>
    /// Ours, not nsqd's: present when the cluster did not answer in time and part of the answer is this gateway's
    /// last copy. Its value is that copy's age in whole seconds (the oldest part's), counted from the gateway's start
    /// for a part it never read (the part is then left out). The body keeps nsqd's shape.
    /// </summary>
    public const string StaleHeader = "X-NSQ-Stale";
    public const string JsonContentType = "application/json; charset=utf-8";
    /// <summary>What Go's net/http sniffs for a text body when the handler sets no Content-Type.</summary>
    public const string TextContentType = "text/plain; charset=utf-8";

    public static Task WriteAsync(HttpContext context, Envelope envelope, in ApiResult result, string? allow = null)
    {
        var response = context.Response;
        var body = result.Body;
        var kind = result.Kind;
        if (envelope == Envelope.PlainText && result.Error is { } error)
        {
            body = System.Text.Encoding.UTF8.GetBytes(error.Code);
            kind = ApiBodyKind.Text;
        }

        response.StatusCode = result.Status;
        if (envelope == Envelope.V1)
        {
            response.Headers[NsqContentTypeHeader] = NsqContentTypeV1;
        }
        if (result.StaleAge is { } age)
        {
            response.Headers[StaleHeader] = ((long)Math.Max(0, age.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (allow is not null)
        {
            response.Headers.Allow = allow;
        }
        switch (kind)
        {
            case ApiBodyKind.Json:
                response.ContentType = JsonContentType;
                break;
            case ApiBodyKind.Text when !body.IsEmpty:
                response.ContentType = TextContentType;
                break;
        }
        response.ContentLength = body.Length;
        if (body.IsEmpty || HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
