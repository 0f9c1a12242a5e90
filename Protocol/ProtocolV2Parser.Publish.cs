using System.Buffers;

namespace OrleansNsq.Protocol;

// PUB, DPUB, MPUB: allowed in every state. Order as nsqd/protocol_v2.go: params, topic name, (DPUB timeout), size
// word (≤ 0 before too big), body. Auth runs in the handler after the command is complete.
public sealed partial class ProtocolV2Parser
{
    // PUB <topic>\n[i32 size][size bytes]
    private ParseStatus ParsePub(in ReadOnlySequence<byte> buffer, CommandLine line, int lineEnd, ref SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        command = default;
        shortage = default;
        if (!line.HasParams(1))
        {
            return Fail(NsqError.PubInsufficientParameters, out error);
        }

        if (!NsqNames.IsValid(line.ParamSpan(1)))
        {
            return Fail(NsqError.BadTopic(CommandKind.Pub, line.ParamSpan(1)), out error);
        }

        var status = ParseMessageBody(CommandKind.Pub, buffer, lineEnd, ref consumed, out var body, out error, out shortage);
        if (status == ParseStatus.Command)
        {
            command = new V2Command(CommandKind.Pub, topic: Slice(buffer, line.Param(1)), body: body);
        }

        return status;
    }

    // DPUB <topic> <defer_ms>\n[i32 size][size bytes]; the defer range is checked before the size word is read.
    private ParseStatus ParseDpub(in ReadOnlySequence<byte> buffer, CommandLine line, int lineEnd, ref SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        command = default;
        shortage = default;
        if (!line.HasParams(2))
        {
            return Fail(NsqError.DpubInsufficientParameters, out error);
        }

        if (!NsqNames.IsValid(line.ParamSpan(1)))
        {
            return Fail(NsqError.BadTopic(CommandKind.Dpub, line.ParamSpan(1)), out error);
        }

        if (!TryParseBase10(line.ParamSpan(2), out var timeoutMs))
        {
            return Fail(NsqError.DpubCouldNotParseTimeout(line.ParamSpan(2)), out error);
        }

        // nsqd: time.Duration(timeoutMs) * time.Millisecond, with Go's wrapping int64 arithmetic.
        var timeoutNs = unchecked((long)timeoutMs * NanosecondsPerMillisecond);
        if (timeoutNs < 0 || timeoutNs > _maxReqTimeoutNs)
        {
            return Fail(NsqError.DpubTimeoutOutOfRange(timeoutMs, _maxReqTimeoutMs), out error);
        }

        var status = ParseMessageBody(CommandKind.Dpub, buffer, lineEnd, ref consumed, out var body, out error, out shortage);
        if (status == ParseStatus.Command)
        {
            command = new V2Command(
                CommandKind.Dpub,
                topic: Slice(buffer, line.Param(1)),
                number: timeoutNs / NanosecondsPerMillisecond,
                body: body);
        }

        return status;
    }

    // MPUB <topic>\n[i32 body size][i32 count] then count × [i32 size][size bytes]. The outer size is only range
    // checked, never compared with the parts (as nsqd); the command ends after the last part.
    private ParseStatus ParseMpub(in ReadOnlySequence<byte> buffer, CommandLine line, int lineEnd, ref SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        command = default;
        shortage = default;
        error = null;
        if (!line.HasParams(1))
        {
            return Fail(NsqError.MpubInsufficientParameters, out error);
        }

        if (!NsqNames.IsValid(line.ParamSpan(1)))
        {
            return Fail(NsqError.BadTopic(CommandKind.Mpub, line.ParamSpan(1)), out error);
        }

        if (!TryReadInt32(buffer, lineEnd, out var bodySize))
        {
            return Wait(new Shortage(ShortageKind.BodySize, CommandKind.Mpub), out shortage);
        }

        if (bodySize <= 0)
        {
            return Fail(NsqError.InvalidBodySize(CommandKind.Mpub, bodySize), out error);
        }

        if (bodySize > _maxBodySize)
        {
            return Fail(NsqError.BodyTooBig(CommandKind.Mpub, bodySize, _maxBodySize), out error);
        }

        if (!TryReadInt32(buffer, lineEnd + 4, out var count))
        {
            return Wait(new Shortage(ShortageKind.MessageCount, CommandKind.Mpub), out shortage);
        }

        // nsqd readMPUB: 4 bytes for the count, then at least 5 (size word + 1 byte) per message.
        if (count <= 0 || count > (_maxBodySize - 4) / 5)
        {
            return Fail(NsqError.MpubInvalidMessageCount(count), out error);
        }

        var parts = buffer.Slice(lineEnd + 8);
        var status = ParseMpubParts(parts, count, out var partsLength, out error, out shortage);
        if (status == ParseStatus.Command)
        {
            var body = parts.Slice(0, partsLength);
            consumed = body.End;
            command = new V2Command(CommandKind.Mpub, topic: Slice(buffer, line.Param(1)), body: body, messageCount: count);
        }

        return status;
    }

    private ParseStatus ParseMpubParts(in ReadOnlySequence<byte> parts, int count, out long partsLength, out NsqError? error, out Shortage shortage)
    {
        partsLength = 0;
        error = null;
        shortage = default;
        var reader = new SequenceReader<byte>(parts);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadBigEndian(out int size))
            {
                return Wait(new Shortage(ShortageKind.PartSize, CommandKind.Mpub, i), out shortage);
            }

            if (size <= 0)
            {
                return Fail(NsqError.MpubInvalidMessageBodySize(i, size), out error);
            }

            if (size > _maxMsgSize)
            {
                return Fail(NsqError.MessageTooBig(CommandKind.Mpub, size, _maxMsgSize), out error);
            }

            if (reader.Remaining < size)
            {
                return Wait(new Shortage(ShortageKind.PartBody, CommandKind.Mpub, i), out shortage);
            }

            reader.Advance(size);
        }

        partsLength = reader.Consumed;
        return ParseStatus.Command;
    }

    // [i32 size][size bytes] of PUB/DPUB: size ≤ 0 first, then > --max-msg-size (exactly max is accepted).
    private ParseStatus ParseMessageBody(CommandKind verb, in ReadOnlySequence<byte> buffer, int offset, ref SequencePosition consumed, out ReadOnlySequence<byte> body, out NsqError? error, out Shortage shortage)
    {
        body = default;
        error = null;
        shortage = default;
        if (!TryReadInt32(buffer, offset, out var size))
        {
            return Wait(new Shortage(ShortageKind.BodySize, verb), out shortage);
        }

        if (size <= 0)
        {
            return Fail(NsqError.InvalidMessageBodySize(verb, size), out error);
        }

        if (size > _maxMsgSize)
        {
            return Fail(NsqError.MessageTooBig(verb, size, _maxMsgSize), out error);
        }

        return SliceBody(verb, buffer, offset, size, ref consumed, out body, out shortage);
    }

    private static ParseStatus SliceBody(CommandKind verb, in ReadOnlySequence<byte> buffer, int offset, int size, ref SequencePosition consumed, out ReadOnlySequence<byte> body, out Shortage shortage)
    {
        shortage = default;
        if (buffer.Length - offset - 4 < size)
        {
            body = default;
            return Wait(new Shortage(ShortageKind.Body, verb), out shortage);
        }

        body = buffer.Slice(offset + 4, size);
        consumed = body.End;
        return ParseStatus.Command;
    }

    private static ReadOnlySequence<byte> Slice(in ReadOnlySequence<byte> buffer, (int Start, int Length) token) =>
        buffer.Slice(token.Start, token.Length);
}
