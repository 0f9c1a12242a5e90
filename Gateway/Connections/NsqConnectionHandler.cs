using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Subscriptions;

namespace OrleansNsq.Gateway.Connections;

/// <summary>Kestrel hands every TCP connection of the NSQ port here; one <see cref="ClientSession"/> owns it.</summary>
internal sealed class NsqConnectionHandler(
    IOptions<NsqdOptions> options,
    IGrainFactory grains,
    SubscriptionRegistry subscriptions,
    ClientRegistry clients,
    Tls.ServerTls tls,
    Auth.AuthServers auth,
    TimeProvider time,
    ILogger<NsqConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Kestrel's own scope names the connection id; the client's address is what a reader of the log looks for.
        using var scope = logger.BeginScope("client {ClientAddress}", connection.RemoteEndPoint);
        var session = new ClientSession(connection, options.Value, grains, subscriptions, tls, auth, time, logger);
        clients.Add(session);
        try
        {
            await session.RunAsync();
        }
        finally
        {
            clients.Remove(session);
        }
    }
}
