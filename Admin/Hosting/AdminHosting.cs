using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Admin.Api;
using OrleansNsq.Admin.Configuration;
using OrleansNsq.Admin.Fleet;
using OrleansNsq.Admin.Ui;

namespace OrleansNsq.Admin.Hosting;

/// <summary>Wires nsqadmin into a host: the standalone admin (Program), or a Silo or Gateway on its admin listener.</summary>
public static class AdminHosting
{
    /// <summary>The log categories PUT /config/log_level governs.</summary>
    private const string LogCategory = "OrleansNsq.Admin";

    public static IServiceCollection AddNsqAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName));
        var logLevel = new AdminLogLevel();
        services.AddSingleton(logLevel);
        services.AddLogging(logging => logging.AddFilter(LogCategory, logLevel.IsEnabled));
        services.AddSingleton(sp => new AdminSettings(sp.GetRequiredService<IOptions<AdminOptions>>(), logLevel, sp.GetService<IAdminDefaultFleet>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AdminOptions>>().Value;
            // nsqadmin's client: connect and whole-request deadlines (--http-client-connect-timeout, -request-timeout).
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = options.HttpClientConnectTimeout,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
                UseCookies = false,
                UseProxy = false,
            };
            return new UpstreamClient(new HttpClient(handler) { Timeout = options.HttpClientRequestTimeout });
        });
        services.AddSingleton<ClusterInfo>();
        services.AddSingleton<SiloDirectory>();
        services.AddSingleton<UiAssets>();
        services.AddSingleton<AdminApi>();
        return services;
    }

    /// <summary>Answers every request of this (branch of the) pipeline as nsqadmin: its routes, then the UI's
    /// static files, else nsqadmin's 404 NOT_FOUND / 405 METHOD_NOT_ALLOWED.</summary>
    public static void UseNsqAdmin(this IApplicationBuilder app)
    {
        var api = app.ApplicationServices.GetRequiredService<AdminApi>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        app.Run(context => HandleAsync(api, logger, context));
    }

    private static async Task HandleAsync(AdminApi api, ILogger logger, HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        ApiReply reply;
        try
        {
            var handler = api.Routes.Match(request.Method, path, out var values, out var pathKnown);
            if (handler is not null) reply = await handler(context, values);
            else if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && api.Assets.Find(path) is { } asset) reply = ApiReply.Asset(asset);
            else reply = pathKnown ? ApiReply.Error(405, "METHOD_NOT_ALLOWED") : ApiReply.Error(404, "NOT_FOUND");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // nsqadmin's panic handler: the request fails alone, the server goes on.
            HostingLog.Failed(logger, request.Method, path, ex);
            reply = ApiReply.Error(500, "INTERNAL_ERROR");
        }
        await reply.WriteAsync(context);
    }
}

internal static partial class HostingLog
{
    [LoggerMessage(20, LogLevel.Error, "panic in HTTP handler - {Method} {Path}")]
    public static partial void Failed(ILogger logger, string method, string path, Exception ex);
}
