using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// A method + path table with httprouter's answers (nsqd and nsqlookupd set <c>HandleMethodNotAllowed</c>):
/// unknown path → 404 NOT_FOUND, known path with another method → 405 METHOD_NOT_ALLOWED with <c>Allow</c>,
/// OPTIONS on a known path → 200 with <c>Allow</c>, a failing handler → 500 INTERNAL_ERROR; all through the V1
/// envelope. Paths match exactly (httprouter's trailing-slash redirects are not reproduced).
/// </summary>
internal sealed class RouteTable
{
    private readonly Dictionary<string, PathRoutes> _exact = new(StringComparer.Ordinal);
    /// <summary>Routes ending in <c>/:param</c>, matched by prefix with exactly one segment after it.</summary>
    private readonly List<(string Prefix, PathRoutes Routes)> _parameterised = [];
    private readonly ILogger _logger;

    public RouteTable(ILogger logger) => _logger = logger;

    public RouteTable Get(string path, ApiHandler handler, Envelope envelope = Envelope.V1) => Map(HttpMethods.Get, path, handler, envelope);

    public RouteTable Post(string path, ApiHandler handler) => Map(HttpMethods.Post, path, handler, Envelope.V1);

    public RouteTable Put(string path, ApiHandler handler) => Map(HttpMethods.Put, path, handler, Envelope.V1);

    private RouteTable Map(string method, string path, ApiHandler handler, Envelope envelope)
    {
        var colon = path.IndexOf("/:", StringComparison.Ordinal);
        PathRoutes? routes;
        if (colon >= 0)
        {
            var prefix = path[..(colon + 1)];
            routes = _parameterised.Find(p => p.Prefix == prefix).Routes;
            if (routes is null)
            {
                routes = new PathRoutes();
                _parameterised.Add((prefix, routes));
            }
        }
        else if (!_exact.TryGetValue(path, out routes))
        {
            routes = new PathRoutes();
            _exact.Add(path, routes);
        }
        routes.Add(new Route(method, handler, envelope));
        return this;
    }

    /// <summary>The terminal middleware: every request on the listener ends here.</summary>
    public async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var (routes, routeValue) = Find(path);
        if (routes is null)
        {
            await ResponseEnvelope.WriteAsync(context, Envelope.V1, ApiError.NotFound);
            return;
        }

        var route = routes.For(context.Request.Method);
        if (route is null)
        {
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.Headers.Allow = routes.Allow;
                context.Response.ContentLength = 0;
                return;
            }
            await ResponseEnvelope.WriteAsync(context, Envelope.V1, ApiError.MethodNotAllowed, routes.Allow);
            return;
        }

        ApiResult result;
        try
        {
            result = await route.Handler(new ApiRequest(context, QueryParams.Parse(context.Request.QueryString.Value), routeValue));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception)
        {
            HttpLog.HandlerFailed(_logger, context.Request.Method, path, exception);
            if (context.Response.HasStarted) return;
            result = ApiError.InternalError;
        }
        HttpLog.Request(_logger, result.Status, context.Request.Method, path, context.Connection.RemoteIpAddress);
        await ResponseEnvelope.WriteAsync(context, route.Envelope, result);
    }

    private (PathRoutes? Routes, string RouteValue) Find(string path)
    {
        if (_exact.TryGetValue(path, out var routes)) return (routes, "");
        foreach (var (prefix, candidate) in _parameterised)
        {
            if (path.Length > prefix.Length && path.StartsWith(prefix, StringComparison.Ordinal)
                && path.IndexOf('/', prefix.Length) < 0)
            {
                return (candidate, path[prefix.Length..]);
            }
        }
        return (null, "");
    }

    private sealed record Route(string Method, ApiHandler Handler, Envelope Envelope);

    private sealed class PathRoutes
    {
        private readonly List<Route> _routes = [];

        /// <summary>httprouter's Allow list: the path's methods, then OPTIONS.</summary>
        public string Allow { get; private set; } = "OPTIONS";

        public void Add(Route route)
        {
            _routes.Add(route);
            Allow = string.Join(", ", _routes.Select(r => r.Method).Append(HttpMethods.Options));
        }

        public Route? For(string method)
        {
            foreach (var route in _routes)
            {
                if (string.Equals(route.Method, method, StringComparison.Ordinal)) return route;
            }
            return null;
        }
    }
}
