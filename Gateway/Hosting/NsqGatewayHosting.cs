using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Builder;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Admin.Configuration;
using OrleansNsq.Admin.Hosting;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Hosting.Memory;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Lookupd;
using OrleansNsq.Gateway.Metrics;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Tls;
using OrleansNsq.Gateway.Statsd;
using OrleansNsq.Gateway.Subscriptions;

namespace OrleansNsq.Gateway.Hosting;

/// <summary>Wires the NSQ gateway (TCP V2 and the HTTP APIs) into a host that has an Orleans silo or client.</summary>
public static class NsqGatewayHosting
{
    public static IServiceCollection AddNsqGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NsqdOptions>().Bind(configuration.GetSection(NsqdOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NsqdOptions>, NsqdOptionsValidator>();
        services.AddSingleton(sp => ServerTls.From(sp.GetRequiredService<IOptions<NsqdOptions>>().Value));
        services.AddSingleton<Auth.AuthServers>();
        services.AddOptions<SubscriptionOptions>().Bind(configuration.GetSection("Gateway:Subscriptions"));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ClientRegistry>();
        services.AddSingleton<IClientRegistry>(sp => sp.GetRequiredService<ClientRegistry>());
        services.AddSingleton<SubscriptionRegistry>();
        services.AddSingleton<GatewayEndpoints>();
        services.AddOptions<LookupdOptions>().Bind(configuration.GetSection(LookupdOptions.SectionName));
        services.AddSingleton<LookupdIdentity>();
        services.AddHostedService<LookupLoop>();
        services.AddHostedService<IdleMemoryTrimmer>();
        services.AddHostedService<IgnoredFlagsReport>();
        services.AddHostedService<StatsdPusher>();
        services.AddNsqMetrics(configuration);
        services.AddNsqHttpApis();
        services.AddNsqAdmin(configuration);
        services.AddSingleton<IAdminDefaultFleet, NodeAdminFleet>();
        // The parser answers a command only once all of it is buffered: the socket's pipe must hold the largest body
        // (--max-body-size) plus a command line, or a maximal MPUB would stall (Kestrel's default is 1 MiB).
        // Reads are handled on the socket's own thread instead of being handed to the thread pool first: one thread
        // hand-off less per read buffer (a PUB's OK, a FIN, an HTTP request). Safe here because nothing on the
        // connection and HTTP paths blocks a thread (they await grain calls). Measured in docs/PERFORMANCE.md;
        // SocketTransport:UnsafePreferInlineScheduling=false in configuration turns it off.
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<NsqdOptions>>((transport, nsqd) =>
        {
            transport.MaxReadBufferSize = Math.Max(nsqd.Value.MaxBodySize, nsqd.Value.MaxMsgSize) + 64 * 1024;
            transport.UnsafePreferInlineScheduling = true;
        });
        // Kestrel's socket options from configuration (SocketTransport:UnsafePreferInlineScheduling, IOQueueCount…).
        services.AddOptions<SocketTransportOptions>().Bind(configuration.GetSection("SocketTransport"));
        return services;
    }

    /// <summary>Binds the NSQ listeners from <see cref="NsqdOptions"/>, <see cref="LookupdOptions"/> and
    /// <see cref="AdminOptions"/>: TCP V2, nsqd HTTP, lookupd HTTP, lookupd TCP, nsqadmin HTTP.</summary>
    public static void ListenNsq(this KestrelServerOptions kestrel)
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<NsqdOptions>>().Value;
        var lookupd = kestrel.ApplicationServices.GetRequiredService<IOptions<LookupdOptions>>().Value;
        var endpoints = kestrel.ApplicationServices.GetRequiredService<GatewayEndpoints>();
        kestrel.AddServerHeader = false; // nsqd sends no Server header
        kestrel.Listen(ListenAddress.Parse(options.TcpAddress), listen =>
        {
            endpoints.Tcp = listen;
            listen.UseConnectionHandler<NsqConnectionHandler>();
        });
        if (options.HttpAddress.Length > 0)
            kestrel.Listen(ListenAddress.Parse(options.HttpAddress), listen => endpoints.NsqdHttp = TagHttp(listen, HttpRole.Nsqd));
        var tls = kestrel.ApplicationServices.GetRequiredService<ServerTls>();
        if (tls.Enabled && options.HttpsAddress.Length > 0)
            kestrel.Listen(ListenAddress.Parse(options.HttpsAddress), listen =>
            {
                endpoints.NsqdHttps = TagHttp(listen, HttpRole.Nsqd);
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(tls.AuthenticationOptions()),
                });
            });
        if (options.LookupdHttpAddress.Length > 0)
            kestrel.Listen(ListenAddress.Parse(options.LookupdHttpAddress), listen => endpoints.LookupdHttp = TagHttp(listen, HttpRole.Lookupd));
        if (lookupd.TcpAddress.Length > 0)
            kestrel.Listen(ListenAddress.Parse(lookupd.TcpAddress), listen =>
            {
                endpoints.LookupdTcp = listen;
                listen.UseConnectionHandler<LookupdConnectionHandler>();
            });
        var admin = kestrel.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value;
        if (admin.HttpAddress.Length > 0)
            kestrel.Listen(ListenAddress.Parse(admin.HttpAddress), listen => endpoints.AdminHttp = TagHttp(listen, HttpRole.Admin));
    }

    /// <summary>Serves the nsqd, lookupd and nsqadmin APIs, each on the listener tagged with its role.</summary>
    public static void UseNsqHttpApis(this IApplicationBuilder app)
    {
        app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Nsqd, b =>
        {
            b.UseNsqTlsRequirement();
            b.UseNsqMetricsEndpoint();
            b.UseNsqdApi();
        });
        app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Lookupd, b => b.UseLookupdApi());
        app.MapWhen(c => HttpRoleTag.Of(c) == HttpRole.Admin, b => b.UseNsqAdmin());
    }

    private static ListenOptions TagHttp(ListenOptions listen, HttpRole role)
    {
        listen.Protocols = HttpProtocols.Http1;
        listen.Use(next => connection =>
        {
            connection.Items[HttpRoleTag.ItemKey] = role;
            return next(connection);
        });
        return listen;
    }
}
