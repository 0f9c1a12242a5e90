using System.Buffers;

namespace OrleansNsq.Protocol;

// SUB, RDY, FIN, REQ, TOUCH, CLS: the state check comes first, then parameters (nsqd/protocol_v2.go).
public sealed partial class ProtocolV2Parser
{
    // SUB <topic> <channel>\n. "cannot SUB with heartbeats disabled" needs the session, so the handler checks it.
    private static ParseStatus ParseSub(in ReadOnlySequence<byte> buffer, CommandLine line, ConnectionState state, out V2Command command, out NsqError? error)
    {
        command = default;
        if (state != ConnectionState.Init)
        {
            return Fail(NsqError.CannotSubInCurrentState, out error);
        }

        if (!line.HasParams(2))
        {
            return Fail(NsqError.SubInsufficientParameters, out error);
        }

        if (!NsqNames.IsValid(line.ParamSpan(1)))
        {
            return Fail(NsqError.BadTopic(CommandKind.Sub, line.ParamSpan(1)), out error);
        }

        if (!NsqNames.IsValid(line.ParamSpan(2)))
        {
            return Fail(NsqError.BadChannel(line.ParamSpan(2)), out error);
        }

        error = null;
        return Complete(new V2Command(CommandKind.Sub, topic: Slice(buffer, line.Param(1)), channel: Slice(buffer, line.Param(2))), out command);
    }

    // RDY [count]\n: "RDY" alone is 1, "RDY " is 0. After CLS nsqd ignores RDY before looking at its parameter.
    private ParseStatus ParseRdy(CommandLine line, ConnectionState state, out V2Command command, out NsqError? error)
    {
        command = default;
        error = null;
        if (state == ConnectionState.Closing)
        {
            return Complete(new V2Command(CommandKind.Rdy), out command);
        }

        if (state != ConnectionState.Subscribed)
        {
            return Fail(NsqError.CannotRdyInCurrentState, out error);
        }

        long count = 1;
        if (line.HasParams(1))
        {
            if (!TryParseBase10(line.ParamSpan(1), out var parsed))
            {
                return Fail(NsqError.RdyCouldNotParseCount(line.ParamSpan(1)), out error);
            }

            count = unchecked((long)parsed);
        }

        // Fatal in nsqd "otherwise clients would have inconsistent state".
        if (count < 0 || count > _maxRdyCount)
        {
            return Fail(NsqError.RdyCountOutOfRange(count, _maxRdyCount), out error);
        }

        return Complete(new V2Command(CommandKind.Rdy, number: count), out command);
    }

    // FIN <id>\n and TOUCH <id>\n. Whether the id is in flight is the handler's (non-fatal) business.
    private static ParseStatus ParseFinOrTouch(CommandKind kind, in ReadOnlySequence<byte> buffer, CommandLine line, ConnectionState state, out V2Command command, out NsqError? error)
    {
        command = default;
        var fin = kind == CommandKind.Fin;
        if (state == ConnectionState.Init)
        {
            return Fail(fin ? NsqError.CannotFinInCurrentState : NsqError.CannotTouchInCurrentState, out error);
        }

        if (!line.HasParams(1))
        {
            return Fail(fin ? NsqError.FinInsufficientParams : NsqError.TouchInsufficientParams, out error);
        }

        if (!TryParseId(line, out var id))
        {
            return Fail(NsqError.InvalidMessageId, out error);
        }

        error = null;
        return Complete(new V2Command(kind, rawId: Slice(buffer, line.Param(1)), messageId: id), out command);
    }

    // REQ <id> <timeout_ms>\n. The timeout is returned as sent; the handler clamps it to 0…--max-req-timeout.
    private static ParseStatus ParseReq(in ReadOnlySequence<byte> buffer, CommandLine line, ConnectionState state, out V2Command command, out NsqError? error)
    {
        command = default;
        if (state == ConnectionState.Init)
        {
            return Fail(NsqError.CannotReqInCurrentState, out error);
        }

        if (!line.HasParams(2))
        {
            return Fail(NsqError.ReqInsufficientParams, out error);
        }

        if (!TryParseId(line, out var id))
        {
            return Fail(NsqError.InvalidMessageId, out error);
        }

        if (!TryParseBase10(line.ParamSpan(2), out var timeoutMs))
        {
            return Fail(NsqError.ReqCouldNotParseTimeout(line.ParamSpan(2)), out error);
        }

        // nsqd: time.Duration(timeoutMs) * time.Millisecond wraps like Go's int64; a negative result clamps to 0.
        var timeoutNs = unchecked((long)timeoutMs * NanosecondsPerMillisecond);
        error = null;
        return Complete(
            new V2Command(CommandKind.Req, number: timeoutNs / NanosecondsPerMillisecond, rawId: Slice(buffer, line.Param(1)), messageId: id),
            out command);
    }

    // CLS\n: only while subscribed; the handler answers CLOSE_WAIT.
    private static ParseStatus ParseCls(ConnectionState state, out V2Command command, out NsqError? error)
    {
        command = default;
        if (state != ConnectionState.Subscribed)
        {
            return Fail(NsqError.CannotClsInCurrentState, out error);
        }

        error = null;
        return Complete(new V2Command(CommandKind.Cls), out command);
    }

    // nsqd getMessageID: exactly 16 bytes, else the fatal "invalid message ID".
    private static bool TryParseId(CommandLine line, out long id)
    {
        var raw = line.ParamSpan(1);
        if (raw.Length != MessageId.Length)
        {
            id = -1;
            return false;
        }

        if (!MessageId.TryParse(raw, out id))
        {
            id = -1;
        }

        return true;
    }
}
