using static System.FormattableString;

namespace OrleansNsq.Protocol;

// Errors ProtocolV2Parser returns: state, parameters, names, numbers and sizes, in nsqd/protocol_v2.go's wording.
public sealed partial class NsqError
{
    /// <summary>Bad magic: the frame data is the bare code, no description (observed on nsqd 1.3.0).</summary>
    public static readonly NsqError BadProtocol = CreateBare("E_BAD_PROTOCOL");

    public static readonly NsqError CannotIdentifyInCurrentState = Create("E_INVALID", "cannot IDENTIFY in current state");
    public static readonly NsqError CannotAuthInCurrentState = Create("E_INVALID", "cannot AUTH in current state");
    public static readonly NsqError CannotSubInCurrentState = Create("E_INVALID", "cannot SUB in current state");
    public static readonly NsqError CannotRdyInCurrentState = Create("E_INVALID", "cannot RDY in current state");
    public static readonly NsqError CannotFinInCurrentState = Create("E_INVALID", "cannot FIN in current state");
    public static readonly NsqError CannotReqInCurrentState = Create("E_INVALID", "cannot REQ in current state");
    public static readonly NsqError CannotTouchInCurrentState = Create("E_INVALID", "cannot TOUCH in current state");
    public static readonly NsqError CannotClsInCurrentState = Create("E_INVALID", "cannot CLS in current state");

    // "parameters" for SUB and the publish verbs, "params" for FIN/REQ/TOUCH: clients compare the text verbatim.
    public static readonly NsqError SubInsufficientParameters = Create("E_INVALID", "SUB insufficient number of parameters");
    public static readonly NsqError PubInsufficientParameters = Create("E_INVALID", "PUB insufficient number of parameters");
    public static readonly NsqError MpubInsufficientParameters = Create("E_INVALID", "MPUB insufficient number of parameters");
    public static readonly NsqError DpubInsufficientParameters = Create("E_INVALID", "DPUB insufficient number of parameters");
    public static readonly NsqError FinInsufficientParams = Create("E_INVALID", "FIN insufficient number of params");
    public static readonly NsqError ReqInsufficientParams = Create("E_INVALID", "REQ insufficient number of params");
    public static readonly NsqError TouchInsufficientParams = Create("E_INVALID", "TOUCH insufficient number of params");
    public static readonly NsqError AuthInvalidNumberOfParameters = Create("E_INVALID", "AUTH invalid number of parameters");

    /// <summary>FIN/REQ/TOUCH with an id that is not 16 bytes long (fatal, unlike an unknown 16-byte id).</summary>
    public static readonly NsqError InvalidMessageId = Create("E_INVALID", "invalid message ID");

    // Input ended inside a command (io.ReadFull failed in nsqd); see ProtocolV2Parser.ErrorAtEndOfInput.
    public static readonly NsqError IdentifyFailedToReadBodySize = Create("E_BAD_BODY", "IDENTIFY failed to read body size");
    public static readonly NsqError IdentifyFailedToReadBody = Create("E_BAD_BODY", "IDENTIFY failed to read body");
    public static readonly NsqError AuthFailedToReadBodySize = Create("E_BAD_BODY", "AUTH failed to read body size");
    public static readonly NsqError AuthFailedToReadBody = Create("E_BAD_BODY", "AUTH failed to read body");
    public static readonly NsqError PubFailedToReadMessageBodySize = Create("E_BAD_MESSAGE", "PUB failed to read message body size");
    public static readonly NsqError PubFailedToReadMessageBody = Create("E_BAD_MESSAGE", "PUB failed to read message body");
    public static readonly NsqError DpubFailedToReadMessageBodySize = Create("E_BAD_MESSAGE", "DPUB failed to read message body size");
    public static readonly NsqError DpubFailedToReadMessageBody = Create("E_BAD_MESSAGE", "DPUB failed to read message body");
    public static readonly NsqError MpubFailedToReadBodySize = Create("E_BAD_BODY", "MPUB failed to read body size");
    public static readonly NsqError MpubFailedToReadMessageCount = Create("E_BAD_BODY", "MPUB failed to read message count");
    public static readonly NsqError MpubFailedToReadMessageBody = Create("E_BAD_MESSAGE", "MPUB failed to read message body");

    /// <summary><c>E_INVALID invalid command &lt;VERB&gt;</c>: the verb raw and unquoted; an empty line leaves a trailing space.</summary>
    public static NsqError InvalidCommand(ReadOnlySpan<byte> verb) =>
        Create("E_INVALID", "invalid command "u8, verb, ReadOnlySpan<byte>.Empty);

    /// <summary><c>E_BAD_TOPIC &lt;VERB&gt; topic name "&lt;t&gt;" is not valid</c> for SUB, PUB and DPUB.</summary>
    public static NsqError BadTopic(CommandKind verb, ReadOnlySpan<byte> topic) =>
        verb == CommandKind.Mpub
            // nsqd/protocol_v2.go MPUB repeats the code inside the text (sic).
            ? Create("E_BAD_TOPIC", Invariant($"E_BAD_TOPIC MPUB topic name {GoQuote.Quote(topic)} is not valid"))
            : Create("E_BAD_TOPIC", Invariant($"{Verb(verb)} topic name {GoQuote.Quote(topic)} is not valid"));

    /// <summary><c>E_BAD_CHANNEL SUB channel name "&lt;c&gt;" is not valid</c>.</summary>
    public static NsqError BadChannel(ReadOnlySpan<byte> channel) =>
        Create("E_BAD_CHANNEL", Invariant($"SUB channel name {GoQuote.Quote(channel)} is not valid"));

    /// <summary><c>E_INVALID RDY could not parse count &lt;x&gt;</c>, x raw.</summary>
    public static NsqError RdyCouldNotParseCount(ReadOnlySpan<byte> raw) =>
        Create("E_INVALID", "RDY could not parse count "u8, raw, ReadOnlySpan<byte>.Empty);

    /// <summary><c>E_INVALID RDY count &lt;n&gt; out of range 0-&lt;max-rdy-count&gt;</c>.</summary>
    public static NsqError RdyCountOutOfRange(long count, long maxRdyCount) =>
        Create("E_INVALID", Invariant($"RDY count {count} out of range 0-{maxRdyCount}"));

    /// <summary><c>E_INVALID REQ could not parse timeout &lt;x&gt;</c>, x raw.</summary>
    public static NsqError ReqCouldNotParseTimeout(ReadOnlySpan<byte> raw) =>
        Create("E_INVALID", "REQ could not parse timeout "u8, raw, ReadOnlySpan<byte>.Empty);

    /// <summary><c>E_INVALID DPUB could not parse timeout &lt;x&gt;</c>, x raw.</summary>
    public static NsqError DpubCouldNotParseTimeout(ReadOnlySpan<byte> raw) =>
        Create("E_INVALID", "DPUB could not parse timeout "u8, raw, ReadOnlySpan<byte>.Empty);

    /// <summary><c>E_INVALID DPUB timeout &lt;ms&gt; out of range 0-&lt;max-req-timeout ms&gt;</c> (ms unsigned, as nsqd's uint64).</summary>
    public static NsqError DpubTimeoutOutOfRange(ulong timeoutMs, long maxReqTimeoutMs) =>
        Create("E_INVALID", Invariant($"DPUB timeout {timeoutMs} out of range 0-{maxReqTimeoutMs}"));

    /// <summary><c>E_BAD_MESSAGE PUB|DPUB invalid message body size &lt;n&gt;</c> (n ≤ 0).</summary>
    public static NsqError InvalidMessageBodySize(CommandKind verb, int size) =>
        Create("E_BAD_MESSAGE", Invariant($"{Verb(verb)} invalid message body size {size}"));

    /// <summary><c>E_BAD_MESSAGE PUB|DPUB|MPUB message too big &lt;n&gt; &gt; &lt;max-msg-size&gt;</c>.</summary>
    public static NsqError MessageTooBig(CommandKind verb, int size, long maxMsgSize) =>
        Create("E_BAD_MESSAGE", Invariant($"{Verb(verb)} message too big {size} > {maxMsgSize}"));

    /// <summary><c>E_BAD_BODY IDENTIFY|AUTH|MPUB body too big &lt;n&gt; &gt; &lt;max-body-size&gt;</c>.</summary>
    public static NsqError BodyTooBig(CommandKind verb, int size, long maxBodySize) =>
        Create("E_BAD_BODY", Invariant($"{Verb(verb)} body too big {size} > {maxBodySize}"));

    /// <summary><c>E_BAD_BODY IDENTIFY|AUTH|MPUB invalid body size &lt;n&gt;</c> (n ≤ 0).</summary>
    public static NsqError InvalidBodySize(CommandKind verb, int size) =>
        Create("E_BAD_BODY", Invariant($"{Verb(verb)} invalid body size {size}"));

    /// <summary><c>E_BAD_BODY MPUB invalid message count &lt;n&gt;</c> (n ≤ 0 or n &gt; (max-body-size − 4) / 5).</summary>
    public static NsqError MpubInvalidMessageCount(int count) =>
        Create("E_BAD_BODY", Invariant($"MPUB invalid message count {count}"));

    /// <summary><c>E_BAD_MESSAGE MPUB failed to read message(&lt;i&gt;) body size</c>, i 0-based.</summary>
    public static NsqError MpubFailedToReadMessageBodySize(int index) =>
        Create("E_BAD_MESSAGE", Invariant($"MPUB failed to read message({index}) body size"));

    /// <summary><c>E_BAD_MESSAGE MPUB invalid message(&lt;i&gt;) body size &lt;n&gt;</c>, i 0-based, n ≤ 0.</summary>
    public static NsqError MpubInvalidMessageBodySize(int index, int size) =>
        Create("E_BAD_MESSAGE", Invariant($"MPUB invalid message({index}) body size {size}"));

    private static string Verb(CommandKind verb) => verb switch
    {
        CommandKind.Identify => "IDENTIFY",
        CommandKind.Auth => "AUTH",
        CommandKind.Sub => "SUB",
        CommandKind.Pub => "PUB",
        CommandKind.Mpub => "MPUB",
        CommandKind.Dpub => "DPUB",
        CommandKind.Rdy => "RDY",
        CommandKind.Fin => "FIN",
        CommandKind.Req => "REQ",
        CommandKind.Touch => "TOUCH",
        CommandKind.Cls => "CLS",
        _ => "NOP",
    };
}
