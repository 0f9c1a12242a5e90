using System.Buffers;
using OrleansNsq.Protocol;
using OrleansNsq.Consumers;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Connections;

/// <summary>The session's choice among the codec's errors (the parser decides the rest).</summary>
internal static class NsqErrors
{
    public static NsqError PublishFailed(CommandKind kind) => kind switch
    {
        CommandKind.Mpub => NsqError.MpubFailedExiting,
        CommandKind.Dpub => NsqError.DpubFailedExiting,
        _ => NsqError.PubFailedExiting,
    };

    /// <summary>The channel refused a FIN/REQ/TOUCH the session had already let through (its lease had ended there):
    /// nsqd's answer for an id not in flight, with the id as its 16 hex digits (what the client sent).</summary>
    public static NsqError SettleRefused(SettlementKind kind, long id)
    {
        Span<byte> rawId = stackalloc byte[MessageId.Length];
        MessageId.Format(id, rawId);
        return kind switch
        {
            SettlementKind.Requeue => NsqError.ReqFailed(rawId, NsqError.ReasonIdNotInFlight),
            SettlementKind.Touch => NsqError.TouchFailed(rawId, NsqError.ReasonIdNotInFlight),
            _ => NsqError.FinFailed(rawId, NsqError.ReasonIdNotInFlight),
        };
    }

    /// <summary>nsqd: "FIN &lt;id&gt; failed ID not in flight" / "… failed client does not own message" — non-fatal.</summary>
    public static NsqError SettleFailed(CommandKind verb, in ReadOnlySequence<byte> rawId, SettleResult result)
    {
        var reason = result == SettleResult.NotOwner ? "client does not own message" : "ID not in flight";
        var id = rawId.ToArray();
        return verb switch
        {
            CommandKind.Req => NsqError.ReqFailed(id, reason),
            CommandKind.Touch => NsqError.TouchFailed(id, reason),
            _ => NsqError.FinFailed(id, reason),
        };
    }
}
