using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using OrleansNsq.Admin.Ui;

namespace OrleansNsq.Admin.Api;

/// <summary>
/// What a handler answers, written the way nsqadmin's decorators write it: V1 (200 with JSON, or a string as is;
/// an error as <c>{"message":"…"}</c> with its status) and PlainText (/ping), plus the UI's static files.
/// </summary>
public abstract class ApiReply
{
    public abstract Task WriteAsync(HttpContext context);

    public static ApiReply Json<T>(T value, JsonTypeInfo<T> type) => new JsonReply<T>(value, type);

    public static ApiReply Text(string text) => new TextReply(200, text, v1: true);

    public static ApiReply PlainText(string text) => new TextReply(200, text, v1: false);

    public static ApiReply Error(int status, string message) => new ErrorReply(status, message);

    public static ApiReply Asset(UiAsset asset) => new AssetReply(asset);

    /// <summary>http_api.RespondV1's header on every V1 answer.</summary>
    private static void V1Header(HttpContext context) => context.Response.Headers["X-NSQ-Content-Type"] = "nsq; version=1.0";

    private sealed class JsonReply<T>(T value, JsonTypeInfo<T> type) : ApiReply
    {
        public override async Task WriteAsync(HttpContext context)
        {
            V1Header(context);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
        }
    }

    private sealed class TextReply(int status, string text, bool v1) : ApiReply
    {
        public override Task WriteAsync(HttpContext context)
        {
            if (v1) V1Header(context);
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(text, context.RequestAborted);
        }
    }

    private sealed class ErrorReply(int status, string message) : ApiReply
    {
        public override Task WriteAsync(HttpContext context)
        {
            V1Header(context);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            return context.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new MessageResponse { Message = message }, AdminJsonContext.Relaxed.MessageResponse), context.RequestAborted).AsTask();
        }
    }

    /// <summary>A static file with its ETag; <c>no-cache</c> so a browser revalidates (304) and never runs a UI
    /// older than the server it talks to.</summary>
    private sealed class AssetReply(UiAsset asset) : ApiReply
    {
        public override Task WriteAsync(HttpContext context)
        {
            var response = context.Response;
            response.Headers.ETag = asset.ETag;
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }
            response.StatusCode = 200;
            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Content.Length;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
        }
    }
}
