using Microsoft.AspNetCore.Http;

namespace OrleansNsq.Gateway.Http;

/// <summary>One request as a handler sees it: the context, its query (parsed Go-style) and the <c>:param</c> value
/// of a parameterised route such as <c>/config/:opt</c> ("" otherwise).</summary>
internal readonly record struct ApiRequest(HttpContext Context, QueryParams Query, string RouteValue)
{
    public HttpRequest Request => Context.Request;
}

/// <summary>A route's handler: nsqd's <c>APIHandler</c>, returning a result instead of writing the response.</summary>
internal delegate ValueTask<ApiResult> ApiHandler(ApiRequest request);
