using System.Text;
using System.Buffers;
using OrleansNsq.Gateway.Protocol;
using OrleansNsq.Gateway.Subscriptions;

namespace OrleansNsq.Gateway.Connections;

/// <summary>Errors the session decides (the parser decides the rest), with nsqd's codes, texts and fatality.</summary>
internal static class NsqErrors
{
    public static readonly NsqError SubWithHeartbeatsDisabled = new("E_INVALID", "cannot SUB with heartbeats disabled", true);
    public static readonly NsqError SubFailed = new("E_SUB_FAILED", "SUB failed exiting", true);
    public static readonly NsqError IdentifyBadJson = new("E_BAD_BODY", "IDENTIFY failed to decode JSON body", true);
    public static readonly NsqError AuthDisabled = new("E_AUTH_DISABLED", "AUTH disabled", true);
    private static readonly NsqError PubFailed = new("E_PUB_FAILED", "PUB failed exiting", true);
    private static readonly NsqError MpubFailed = new("E_MPUB_FAILED", "MPUB failed exiting", true);
    private static readonly NsqError DpubFailed = new("E_DPUB_FAILED", "DPUB failed exiting", true);

    public static NsqError PublishFailed(CommandKind kind) => kind switch
    {
        CommandKind.Mpub => MpubFailed,
        CommandKind.Dpub => DpubFailed,
        _ => PubFailed,
    };

    public static NsqError SubConsumersExceeded(string topic, string channel, int limit) =>
        new("E_SUB_FAILED", $"SUB failed consumers for {topic}:{channel} exceeds limit of {limit}", true);

    /// <summary>nsqd: "FIN &lt;id&gt; failed ID not in flight" / "… failed client does not own message" — non-fatal.</summary>
    public static NsqError SettleFailed(string code, string verb, in ReadOnlySequence<byte> rawId, SettleResult result)
    {
        var reason = result == SettleResult.NotOwner ? "client does not own message" : "ID not in flight";
        return new NsqError(code, $"{verb} {Encoding.UTF8.GetString(rawId)} failed {reason}", false);
    }
}
