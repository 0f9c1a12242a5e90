using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace OrleansNsq.Protocol;

/// <summary>
/// Parses V2 commands: <c>VERB[␠param…]\n</c>, then for IDENTIFY, AUTH, PUB, DPUB and MPUB a binary body. Checks run
/// in nsqd/protocol_v2.go's order (state, parameters, names, numbers, sizes) and every limit is decided on the size
/// word alone, before any body byte is awaited. Stateless: one instance can serve every connection with the same
/// limits. Allocates nothing unless it returns an error that carries values.
/// </summary>
public sealed partial class ProtocolV2Parser
{
    /// <summary>
    /// nsqd reads command lines with ReadSlice through a 16 KiB bufio.Reader (client_v2.go defaultBufferSize): a line
    /// whose '\n' is not within the first 16384 bytes fails the read and nsqd drops the connection without a frame.
    /// </summary>
    public const int MaxLineLength = 16 * 1024;

    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly long _maxMsgSize;
    private readonly long _maxBodySize;
    private readonly long _maxRdyCount;
    private readonly long _maxReqTimeoutMs;
    private readonly long _maxReqTimeoutNs;

    /// <param name="maxMsgSize">--max-msg-size: PUB/DPUB body and each MPUB part.</param>
    /// <param name="maxBodySize">--max-body-size: MPUB, IDENTIFY and AUTH bodies.</param>
    /// <param name="maxRdyCount">--max-rdy-count.</param>
    /// <param name="maxReqTimeoutMs">--max-req-timeout in ms: the DPUB range (REQ is clamped by the handler).</param>
    public ProtocolV2Parser(long maxMsgSize, long maxBodySize, long maxRdyCount, long maxReqTimeoutMs)
    {
        _maxMsgSize = maxMsgSize;
        _maxBodySize = maxBodySize;
        _maxRdyCount = maxRdyCount;
        _maxReqTimeoutMs = maxReqTimeoutMs;
        _maxReqTimeoutNs = maxReqTimeoutMs > long.MaxValue / NanosecondsPerMillisecond
            ? long.MaxValue
            : maxReqTimeoutMs * NanosecondsPerMillisecond;
    }

    /// <summary>
    /// The server requires TLS (--tls-required) and the connection is not TLS yet: every command but IDENTIFY is nsqd's
    /// fatal <see cref="NsqError.TlsRequired"/>, decided on the raw verb before anything else of the command is read
    /// (nsqd's enforceTLSPolicy runs before dispatch). The session clears it once the connection is upgraded.
    /// </summary>
    public bool TlsRequired { get; set; }

    /// <summary>
    /// Parses one command from the front of <paramref name="buffer"/>. NeedMoreData: nothing consumed. Command:
    /// <paramref name="consumed"/> is after the line and any body. Error: write <c>error.Frame</c>; the parser only
    /// returns fatal errors, so close after it (<paramref name="consumed"/> is after the line). CloseSilently: close
    /// without a frame.
    /// </summary>
    public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, ConnectionState state, out SequencePosition consumed, out V2Command command, out NsqError? error) =>
        Parse(buffer, state, out consumed, out command, out error, out _);

    /// <summary>
    /// The input ended with <paramref name="remaining"/> unparsed (the client closed mid-command): the error frame
    /// nsqd writes before it closes (its io.ReadFull of a size word or body failed), or null to close silently (a
    /// partial line, or nothing left).
    /// </summary>
    public NsqError? ErrorAtEndOfInput(in ReadOnlySequence<byte> remaining, ConnectionState state)
    {
        if (remaining.IsEmpty)
        {
            return null;
        }

        return Parse(remaining, state, out _, out _, out var error, out var shortage) switch
        {
            ParseStatus.NeedMoreData => shortage.ToError(),
            ParseStatus.Error => error,
            _ => null,
        };
    }

    private ParseStatus Parse(in ReadOnlySequence<byte> buffer, ConnectionState state, out SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        var first = buffer.FirstSpan;
        var newline = first[..Math.Min(first.Length, MaxLineLength)].IndexOf((byte)'\n');
        if (newline >= 0)
        {
            return ParseCommand(buffer, first[..newline], newline + 1, state, out consumed, out command, out error, out shortage);
        }

        if (first.Length >= MaxLineLength || !buffer.IsSingleSegment)
        {
            return ParseMultiSegmentLine(buffer, state, out consumed, out command, out error, out shortage);
        }

        consumed = buffer.Start;
        command = default;
        error = null;
        shortage = Shortage.Line;
        return ParseStatus.NeedMoreData;
    }

    // The line crosses a segment boundary: copy it (≤ 16 KiB) into a pooled buffer and parse that. Token offsets are
    // the same in the copy and in the sequence, so the command still slices the original input.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ParseStatus ParseMultiSegmentLine(in ReadOnlySequence<byte> buffer, ConnectionState state, out SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        consumed = buffer.Start;
        command = default;
        error = null;
        shortage = Shortage.Line;

        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxLineLength));
        var newline = window.PositionOf((byte)'\n');
        if (newline is null)
        {
            return window.Length >= MaxLineLength ? ParseStatus.CloseSilently : ParseStatus.NeedMoreData;
        }

        var lineLength = (int)window.Slice(0, newline.Value).Length;
        var rented = ArrayPool<byte>.Shared.Rent(lineLength);
        try
        {
            var line = rented.AsSpan(0, lineLength);
            window.Slice(0, lineLength).CopyTo(line);
            return ParseCommand(buffer, line, lineLength + 1, state, out consumed, out command, out error, out shortage);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // VERB[ param…]: one trailing '\r' stripped, split on every single space (empty tokens count, surplus ignored),
    // verbs case-sensitive (nsqd/protocol_v2.go IOLoop and Exec).
    private ParseStatus ParseCommand(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> text, int lineEnd, ConnectionState state, out SequencePosition consumed, out V2Command command, out NsqError? error, out Shortage shortage)
    {
        if (!text.IsEmpty && text[^1] == (byte)'\r')
        {
            text = text[..^1];
        }

        var line = new CommandLine(text);
        consumed = buffer.GetPosition(lineEnd);
        command = default;
        error = null;
        shortage = default;

        if (TlsRequired && !line.Verb.SequenceEqual("IDENTIFY"u8))
        {
            error = NsqError.TlsRequired(line.Verb);
            return ParseStatus.Error;
        }

        if (!TryMatchVerb(line.Verb, out var kind))
        {
            error = NsqError.InvalidCommand(line.Verb);
            return ParseStatus.Error;
        }

        var status = kind switch
        {
            CommandKind.Identify => ParseIdentify(buffer, lineEnd, state, ref consumed, out command, out error, out shortage),
            CommandKind.Auth => ParseAuth(buffer, line, lineEnd, state, ref consumed, out command, out error, out shortage),
            CommandKind.Sub => ParseSub(buffer, line, state, out command, out error),
            CommandKind.Pub => ParsePub(buffer, line, lineEnd, ref consumed, out command, out error, out shortage),
            CommandKind.Mpub => ParseMpub(buffer, line, lineEnd, ref consumed, out command, out error, out shortage),
            CommandKind.Dpub => ParseDpub(buffer, line, lineEnd, ref consumed, out command, out error, out shortage),
            CommandKind.Rdy => ParseRdy(line, state, out command, out error),
            CommandKind.Fin => ParseFinOrTouch(CommandKind.Fin, buffer, line, state, out command, out error),
            CommandKind.Req => ParseReq(buffer, line, state, out command, out error),
            CommandKind.Touch => ParseFinOrTouch(CommandKind.Touch, buffer, line, state, out command, out error),
            CommandKind.Cls => ParseCls(state, out command, out error),
            _ => Complete(new V2Command(CommandKind.Nop), out command),
        };

        if (status == ParseStatus.NeedMoreData)
        {
            consumed = buffer.Start;
        }

        return status;
    }

    private static bool TryMatchVerb(ReadOnlySpan<byte> verb, out CommandKind kind)
    {
        kind = verb.Length switch
        {
            3 when verb.SequenceEqual("PUB"u8) => CommandKind.Pub,
            3 when verb.SequenceEqual("RDY"u8) => CommandKind.Rdy,
            3 when verb.SequenceEqual("FIN"u8) => CommandKind.Fin,
            3 when verb.SequenceEqual("NOP"u8) => CommandKind.Nop,
            3 when verb.SequenceEqual("REQ"u8) => CommandKind.Req,
            3 when verb.SequenceEqual("SUB"u8) => CommandKind.Sub,
            3 when verb.SequenceEqual("CLS"u8) => CommandKind.Cls,
            4 when verb.SequenceEqual("MPUB"u8) => CommandKind.Mpub,
            4 when verb.SequenceEqual("DPUB"u8) => CommandKind.Dpub,
            4 when verb.SequenceEqual("AUTH"u8) => CommandKind.Auth,
            5 when verb.SequenceEqual("TOUCH"u8) => CommandKind.Touch,
            8 when verb.SequenceEqual("IDENTIFY"u8) => CommandKind.Identify,
            _ => (CommandKind)byte.MaxValue,
        };
        return kind != (CommandKind)byte.MaxValue;
    }

    private static ParseStatus Complete(V2Command parsed, out V2Command command)
    {
        command = parsed;
        return ParseStatus.Command;
    }

    private static ParseStatus Fail(NsqError failure, out NsqError? error)
    {
        error = failure;
        return ParseStatus.Error;
    }

    private static ParseStatus Wait(Shortage missing, out Shortage shortage)
    {
        shortage = missing;
        return ParseStatus.NeedMoreData;
    }

    /// <summary>
    /// internal/protocol/byte_base10.go ByteToBase10: ASCII digits only (no sign, so "-1" fails), "" is 0, and the
    /// uint64 wraps on overflow as Go's does.
    /// </summary>
    private static bool TryParseBase10(ReadOnlySpan<byte> digits, out ulong value)
    {
        ulong result = 0;
        foreach (var digit in digits)
        {
            var d = (uint)(digit - '0');
            if (d > 9)
            {
                value = 0;
                return false;
            }

            result = unchecked((result * 10) + d);
        }

        value = result;
        return true;
    }

    /// <summary>nsqd's readLen: a big-endian int32 at <paramref name="offset"/>; false while fewer than 4 bytes are in.</summary>
    private static bool TryReadInt32(in ReadOnlySequence<byte> buffer, long offset, out int value)
    {
        var first = buffer.FirstSpan;
        if (offset + 4 <= first.Length)
        {
            value = BinaryPrimitives.ReadInt32BigEndian(first[(int)offset..]);
            return true;
        }

        return TryReadInt32Slow(buffer, offset, out value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryReadInt32Slow(in ReadOnlySequence<byte> buffer, long offset, out int value)
    {
        if (buffer.Length - offset < 4)
        {
            value = 0;
            return false;
        }

        Span<byte> word = stackalloc byte[4];
        buffer.Slice(offset, 4).CopyTo(word);
        value = BinaryPrimitives.ReadInt32BigEndian(word);
        return true;
    }
}
