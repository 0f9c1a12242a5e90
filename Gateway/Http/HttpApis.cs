using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// What the host calls. Both APIs live in one Kestrel host on different ports; each is a terminal middleware that
/// answers every request of its branch (404/405 included):
/// <code>
/// services.AddNsqHttpApis();
/// app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Nsqd, b => b.UseNsqdApi());
/// app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Lookupd, b => b.UseLookupdApi());
/// </code>
/// Needs <see cref="IGrainFactory"/>, <c>IOptions&lt;NsqdOptions&gt;</c> and <see cref="NodeIdentity"/>; uses
/// <c>IClientRegistry</c> and <see cref="TimeProvider"/> when registered.
/// </summary>
public static class HttpApis
{
    /// <summary>Registers <see cref="NodeIdentity"/> from <see cref="NsqdOptions"/> unless the host registered one.
    /// The host sets its ports once the listeners are bound.</summary>
    public static IServiceCollection AddNsqHttpApis(this IServiceCollection services)
    {
        services.AddOptions<NsqdOptions>();
        services.AddOptions<LookupdOptions>();
        services.TryAddSingleton(sp => NodeIdentity.FromOptions(
            sp.GetRequiredService<IOptions<NsqdOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        // A cluster host registers its own (every live silo); alone, this node is lookupd's only producer.
        // /stats, and the statsd pusher and metrics when the gateway registers them, read the topics through it.
        services.TryAddSingleton<TopicStatsReader>();
        services.TryAddSingleton<Producers.IProducerDirectory>(sp => new Producers.ThisNodeProducers(sp.GetRequiredService<NodeIdentity>()));
        return services;
    }

    /// <summary>nsqd's API (/ping, /info, /pub, /mpub, /stats, /topic/*, /channel/*, /config/:opt).</summary>
    public static void UseNsqdApi(this IApplicationBuilder app)
    {
        var api = new NsqdApi(app.ApplicationServices);
        app.Run(api.Routes.DispatchAsync);
    }

    /// <summary>nsqlookupd's API (/ping, /info, /lookup, /topics, /channels, /nodes, /topic/*, /channel/*, /debug).</summary>
    public static void UseLookupdApi(this IApplicationBuilder app)
    {
        var api = new LookupdApi(app.ApplicationServices);
        app.Run(api.Routes.DispatchAsync);
    }
}
