using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace OrleansNsq.Gateway.Http;

/// <summary>Which NSQ HTTP API a Kestrel listener serves. nsqd (4151), nsqlookupd (4161) and nsqadmin (4171)
/// share one host.</summary>
public enum HttpRole
{
    Nsqd,
    Lookupd,
    /// <summary>The built-in nsqadmin (4171): the web UI and nsqadmin's /api.</summary>
    Admin,
}

/// <summary>
/// Reads the <see cref="HttpRole"/> that the host put on the connection. The host tags each listener with a
/// connection middleware: <c>listen.Use(next => ctx => { ctx.Items[HttpRoleTag.ItemKey] = HttpRole.Nsqd; return next(ctx); })</c>,
/// then branches the request pipeline with <c>app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Nsqd, b => b.UseNsqdApi())</c>.
/// </summary>
public static class HttpRoleTag
{
    public const string ItemKey = "nsq.http.role";

    /// <summary>The role of the connection that carried the request; null when the listener was not tagged.</summary>
    public static HttpRole? Of(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(ItemKey, out var value) && value is HttpRole role)
        {
            return role;
        }
        return null;
    }
}
