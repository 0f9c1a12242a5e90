using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>Log events of the lookupd TCP role (event ids 4100–4199) and of this node's registration with external
/// lookupds (4200–4299). Peer mistakes log at Debug, as nsqd's bad clients do.</summary>
internal static partial class LookupdLog
{
    [LoggerMessage(4100, LogLevel.Debug, "lookupd TCP {Remote}: bad protocol magic")]
    public static partial void BadMagic(ILogger logger, string remote);

    [LoggerMessage(4101, LogLevel.Debug, "lookupd TCP {Remote}: {Error}")]
    public static partial void ClientError(ILogger logger, string remote, string error);

    [LoggerMessage(4102, LogLevel.Debug, "lookupd TCP {Remote}: no line end within the line limit, closing")]
    public static partial void LineTooLong(ILogger logger, string remote);

    [LoggerMessage(4103, LogLevel.Information, "lookupd TCP {Remote}: IDENTIFY Address:{Broadcast} TCP:{TcpPort} HTTP:{HttpPort} Version:{Version}")]
    public static partial void Identified(ILogger logger, string remote, string broadcast, int tcpPort, int httpPort, string version);

    [LoggerMessage(4104, LogLevel.Warning, "lookupd TCP {Remote}: the registration grain did not know this peer; restored {Count} registrations")]
    public static partial void Restored(ILogger logger, string remote, int count);

    [LoggerMessage(4105, LogLevel.Error, "lookupd TCP {Remote}: connection failed")]
    public static partial void Failed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(4106, LogLevel.Error, "lookupd TCP {Remote}: removing the peer's registrations failed")]
    public static partial void LeaveFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(4200, LogLevel.Warning, "LOOKUPD({Address}): connection failed (identified: {Identified}): {Reason}")]
    public static partial void PeerFailed(ILogger logger, string address, bool identified, string reason);

    [LoggerMessage(4201, LogLevel.Information, "LOOKUPD({Address}): identified; lookupd broadcast address {Broadcast}, HTTP port {HttpPort}")]
    public static partial void PeerIdentified(ILogger logger, string address, string broadcast, int httpPort);

    [LoggerMessage(4202, LogLevel.Information, "LOOKUPD({Address}): {Command}")]
    public static partial void PeerCommand(ILogger logger, string address, string command);
}
