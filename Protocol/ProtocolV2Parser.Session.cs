using System.Buffers;

namespace OrleansNsq.Protocol;

// IDENTIFY and AUTH: only before SUB; their body bound is --max-body-size and, unlike the publish verbs, "too big" is
// checked before "≤ 0" (nsqd/protocol_v2.go).
public sealed partial class ProtocolV2Parser
{
    // IDENTIFY\n[i32 size][size bytes of JSON]. Parameters are ignored.
    private ParseStatus ParseIdentify(in ReadOnlySequence<byte> buffer, int lineEnd, ConnectionState state, ref SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        command = default;
        shortage = default;
        if (state != ConnectionState.Init)
        {
            return Fail(NsqError.CannotIdentifyInCurrentState, out error);
        }

        var status = ParseSessionBody(CommandKind.Identify, buffer, lineEnd, ref consumed, out var body, out error, out shortage);
        if (status == ParseStatus.Command)
        {
            command = new V2Command(CommandKind.Identify, body: body);
        }

        return status;
    }

    // AUTH\n[i32 size][size bytes of secret]. Any parameter fails before the size word is read (observed).
    private ParseStatus ParseAuth(in ReadOnlySequence<byte> buffer, CommandLine line, int lineEnd, ConnectionState state, ref SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        command = default;
        shortage = default;
        if (state != ConnectionState.Init)
        {
            return Fail(NsqError.CannotAuthInCurrentState, out error);
        }

        if (line.HasParams(1))
        {
            return Fail(NsqError.AuthInvalidNumberOfParameters, out error);
        }

        var status = ParseSessionBody(CommandKind.Auth, buffer, lineEnd, ref consumed, out var body, out error, out shortage);
        if (status == ParseStatus.Command)
        {
            command = new V2Command(CommandKind.Auth, body: body);
        }

        return status;
    }

    private ParseStatus ParseSessionBody(CommandKind verb, in ReadOnlySequence<byte> buffer, int offset, ref SequencePosition consumed, out ReadOnlySequence<byte> body, out NsqError? error, out Shortage shortage)
    {
        body = default;
        error = null;
        shortage = default;
        if (!TryReadInt32(buffer, offset, out var size))
        {
            return Wait(new Shortage(ShortageKind.BodySize, verb), out shortage);
        }

        if (size > _maxBodySize)
        {
            return Fail(NsqError.BodyTooBig(verb, size, _maxBodySize), out error);
        }

        if (size <= 0)
        {
            return Fail(NsqError.InvalidBodySize(verb, size), out error);
        }

        return SliceBody(verb, buffer, offset, size, ref consumed, out body, out shortage);
    }
}
