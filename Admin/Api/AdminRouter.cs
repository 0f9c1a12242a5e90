using Microsoft.AspNetCore.Http;

namespace OrleansNsq.Admin.Api;

/// <summary>The values of a route's <c>:name</c> segments.</summary>
public sealed class RouteValues(Dictionary<string, string> values)
{
    public string this[string name] => values.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// nsqadmin's route table (httprouter): one line per method and path, <c>:name</c> matching one non-empty
/// segment. A path known under another method is 405 METHOD_NOT_ALLOWED, an unknown path 404 NOT_FOUND.
/// </summary>
public sealed class AdminRouter
{
    private readonly List<(string Method, string[] Segments, Func<HttpContext, RouteValues, Task<ApiReply>> Handler)> _routes = [];

    public AdminRouter Get(string path, Func<HttpContext, RouteValues, Task<ApiReply>> handler) => Add(HttpMethods.Get, path, handler);

    public AdminRouter Post(string path, Func<HttpContext, RouteValues, Task<ApiReply>> handler) => Add(HttpMethods.Post, path, handler);

    public AdminRouter Put(string path, Func<HttpContext, RouteValues, Task<ApiReply>> handler) => Add(HttpMethods.Put, path, handler);

    public AdminRouter Delete(string path, Func<HttpContext, RouteValues, Task<ApiReply>> handler) => Add(HttpMethods.Delete, path, handler);

    private AdminRouter Add(string method, string path, Func<HttpContext, RouteValues, Task<ApiReply>> handler)
    {
        _routes.Add((method, Split(path), handler));
        return this;
    }

    /// <summary>The handler of a request, or null with <paramref name="pathKnown"/> telling 405 from 404. HEAD is
    /// served as GET.</summary>
    public Func<HttpContext, RouteValues, Task<ApiReply>>? Match(string method, string path, out RouteValues values, out bool pathKnown)
    {
        var segments = Split(path);
        pathKnown = false;
        if (HttpMethods.IsHead(method)) method = HttpMethods.Get;
        foreach (var (routeMethod, pattern, handler) in _routes)
        {
            if (!TryMatch(pattern, segments, out var captured)) continue;
            pathKnown = true;
            if (routeMethod != method) continue;
            values = new RouteValues(captured);
            return handler;
        }
        values = new RouteValues([]);
        return null;
    }

    private static bool TryMatch(string[] pattern, string[] segments, out Dictionary<string, string> captured)
    {
        captured = [];
        if (pattern.Length != segments.Length) return false;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i].StartsWith(':'))
            {
                if (segments[i].Length == 0) return false;
                captured[pattern[i][1..]] = segments[i];
            }
            else if (pattern[i] != segments[i]) return false;
        }
        return true;
    }

    /// <summary>"/" is no segment, "/api/topics" two; a trailing slash is an empty last segment (httprouter
    /// would redirect it).</summary>
    private static string[] Split(string path) => path is "" or "/" ? [] : path[1..].Split('/');
}
