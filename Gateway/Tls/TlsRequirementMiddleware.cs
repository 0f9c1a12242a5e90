using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.Gateway.Node;

namespace OrleansNsq.Gateway.Tls;

/// <summary>
/// With --tls-required=true, the plain nsqd HTTP API refuses every request as nsqd's does: 403 and
/// <c>{"message": "TLS_REQUIRED", "https_port": N}</c> (nsqd's text, with its spaces). HTTPS serves as usual;
/// with --tls-required=tcp-https the plain API stays open.
/// </summary>
public static class TlsRequirementMiddleware
{
    public static void UseNsqTlsRequirement(this IApplicationBuilder app)
    {
        var tls = app.ApplicationServices.GetRequiredService<ServerTls>();
        if (tls.Required != TlsRequirement.Required) return;
        var endpoints = app.ApplicationServices.GetRequiredService<GatewayEndpoints>();
        app.Use(async (context, next) =>
        {
            if (context.Request.IsHttps)
            {
                await next(context);
                return;
            }
            var body = $$"""{"message": "TLS_REQUIRED", "https_port": {{Math.Max(0, GatewayEndpoints.PortOf(endpoints.NsqdHttps))}}}""";
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["X-NSQ-Content-Type"] = "nsq; version=1.0";
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body);
        });
    }
}
