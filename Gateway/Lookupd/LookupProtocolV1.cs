using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// The byte side of nsqlookupd's TCP protocol (nsqlookupd/tcp.go, lookup_protocol_v1.go): the magic <c>␠␠V1</c>, then
/// text lines <c>VERB [params]\n</c> (surrounding whitespace trimmed, split on single spaces), IDENTIFY followed by
/// <c>[i32 size][JSON]</c>. Replies are <c>[u32 size][data]</c> without a frame type. Checks run in nsqlookupd's
/// order: state (IDENTIFY first, once), param count, topic name, channel name.
/// </summary>
internal static class LookupProtocolV1
{
    public static ReadOnlySpan<byte> MagicV1 => "  V1"u8;

    /// <summary>nsqlookupd reads lines without a bound; ours is generous: the longest valid line is
    /// <c>UNREGISTER</c> + two 64-byte names, about 140 bytes.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>nsqlookupd allocates whatever size the peer sends (and panics on a negative one); nsqd's IDENTIFY is
    /// about 120 bytes, so 1 MiB refuses only hostile peers, with "IDENTIFY failed to read body".</summary>
    public const int MaxIdentifyBodySize = 1024 * 1024;

    /// <summary>The first 4 bytes of a connection, maybe split over segments.</summary>
    public static bool IsMagicV1(in ReadOnlySequence<byte> magic)
    {
        Span<byte> bytes = stackalloc byte[4];
        magic.Slice(0, 4).CopyTo(bytes);
        return bytes.SequenceEqual(MagicV1);
    }

    /// <summary>Parses the first command of <paramref name="buffer"/>; <paramref name="consumed"/> is after it.
    /// <paramref name="isCompleted"/>: the peer has closed its side, so a missing IDENTIFY size or body is an error.</summary>
    public static LookupParseStatus TryParse(in ReadOnlySequence<byte> buffer, bool identified, bool isCompleted,
        out SequencePosition consumed, out LookupCommand? command)
    {
        consumed = buffer.Start;
        command = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (buffer.Length > MaxLineLength) return LookupParseStatus.LineTooLong;
            return isCompleted ? LookupParseStatus.End : LookupParseStatus.NeedMoreData;
        }
        if (line.Length > MaxLineLength) return LookupParseStatus.LineTooLong;

        var parameters = Split(line);
        switch (parameters[0])
        {
            case "PING":
                command = new LookupCommand(LookupCommandKind.Ping);
                break;
            case "IDENTIFY":
                if (identified)
                {
                    command = LookupCommand.Failed(LookupCommandKind.Identify, LookupError.IdentifyAgain);
                    break;
                }
                var body = ReadIdentifyBody(ref reader, isCompleted, out command);
                if (body == LookupParseStatus.NeedMoreData) return body;
                break;
            case "REGISTER":
                command = TopicChannel(LookupCommandKind.Register, "REGISTER", parameters, identified);
                break;
            case "UNREGISTER":
                command = TopicChannel(LookupCommandKind.Unregister, "UNREGISTER", parameters, identified);
                break;
            default:
                // Exec's fallthrough; the kind does not matter for an error
                command = LookupCommand.Failed(LookupCommandKind.Ping, LookupError.InvalidCommand(parameters[0]));
                break;
        }
        consumed = reader.Position;
        return LookupParseStatus.Command;
    }

    /// <summary>Writes one response: <c>[i32 size][data]</c> (internal/protocol SendResponse).</summary>
    public static void WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var span = output.GetSpan(4 + data.Length);
        BinaryPrimitives.WriteInt32BigEndian(span, data.Length);
        data.CopyTo(span[4..]);
        output.Advance(4 + data.Length);
    }

    /// <summary>IDENTIFY's <c>[i32 size][body]</c> after the line.</summary>
    private static LookupParseStatus ReadIdentifyBody(ref SequenceReader<byte> reader, bool isCompleted, out LookupCommand? command)
    {
        command = null;
        if (!reader.TryReadBigEndian(out int size))
        {
            if (!isCompleted) return LookupParseStatus.NeedMoreData;
            command = LookupCommand.Failed(LookupCommandKind.Identify, LookupError.BodySize);
            reader.AdvanceToEnd();
            return LookupParseStatus.Command;
        }
        if (size is < 0 or > MaxIdentifyBodySize)
        {
            command = LookupCommand.Failed(LookupCommandKind.Identify, LookupError.Body);
            return LookupParseStatus.Command;
        }
        if (reader.Remaining < size)
        {
            if (!isCompleted) return LookupParseStatus.NeedMoreData;
            command = LookupCommand.Failed(LookupCommandKind.Identify, LookupError.Body);
            reader.AdvanceToEnd();
            return LookupParseStatus.Command;
        }
        var body = new byte[size];
        reader.TryCopyTo(body);
        reader.Advance(size);
        command = new LookupCommand(LookupCommandKind.Identify, Body: body);
        return LookupParseStatus.Command;
    }

    /// <summary>getTopicChan: IDENTIFY first, then at least a topic, a valid topic, a valid channel if one is given
    /// (an empty second param, from two spaces in a row, means no channel).</summary>
    private static LookupCommand TopicChannel(LookupCommandKind kind, string verb, string[] parameters, bool identified)
    {
        if (!identified) return LookupCommand.Failed(kind, LookupError.MustIdentify);
        if (parameters.Length < 2) return LookupCommand.Failed(kind, LookupError.InsufficientParams(verb));
        var topic = parameters[1];
        var channel = parameters.Length >= 3 && parameters[2].Length > 0 ? parameters[2] : null;
        if (!NsqNames.IsValid(topic)) return LookupCommand.Failed(kind, LookupError.BadTopic(verb, topic));
        if (channel is not null && !NsqNames.IsValid(channel)) return LookupCommand.Failed(kind, LookupError.BadChannel(verb, channel));
        return new LookupCommand(kind, topic, channel);
    }

    /// <summary><c>strings.Split(strings.TrimSpace(line), " ")</c>; Latin-1 keeps every byte as one char.</summary>
    private static string[] Split(in ReadOnlySequence<byte> line)
    {
        var text = Encoding.Latin1.GetString(line).Trim(GoSpace);
        return text.Split(' ');
    }

    /// <summary>The ASCII white space of Go's unicode.IsSpace, which TrimSpace uses (Go also trims the UTF-8 forms of
    /// U+0085 and U+00A0, which no nsqd sends).</summary>
    private static readonly char[] GoSpace = [' ', '\t', '\n', '\v', '\f', '\r'];
}
