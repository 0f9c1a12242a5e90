using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>Kestrel hands every connection of the lookupd TCP port (4160) here; one <see cref="LookupPeerSession"/>
/// owns it. Registrations go to <see cref="IExternalProducerDirectoryGrain"/>, so every silo's lookupd HTTP API
/// lists the nsqd nodes registered with any of them.</summary>
internal sealed class LookupdConnectionHandler(
    IGrainFactory grains,
    LookupdIdentity identity,
    ILogger<LookupdConnectionHandler> logger) : ConnectionHandler
{
    /// <summary>Names this process in peer ids: Kestrel's connection ids are unique in one process only.</summary>
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];

    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new LookupPeerSession(connection, $"{_instance}/{connection.ConnectionId}", grains.ExternalProducers(), identity, logger).RunAsync();
}
