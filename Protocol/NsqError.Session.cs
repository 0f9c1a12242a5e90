using System.Text;
using static System.FormattableString;

namespace OrleansNsq.Protocol;

// Errors the connection handler decides (it holds the session state the parser has not), in nsqd's wording, so no
// error text is assembled anywhere else.
public sealed partial class NsqError
{
    /// <summary>SUB after IDENTIFY heartbeat_interval −1 (nsqd checks it before SUB's parameters).</summary>
    public static readonly NsqError CannotSubWithHeartbeatsDisabled = Create("E_INVALID", "cannot SUB with heartbeats disabled");

    public static readonly NsqError IdentifyFailedToDecodeJsonBody = Create("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
    public static readonly NsqError IdentifyCannotEnableBothCompressions = Create("E_IDENTIFY_FAILED", "cannot enable both deflate and snappy compression");

    public static readonly NsqError AuthAlreadySet = Create("E_INVALID", "AUTH already set");
    public static readonly NsqError AuthDisabled = Create("E_AUTH_DISABLED", "AUTH disabled");
    /// <summary>The auth server failed; nsqd only logs the detail, never sends it.</summary>
    public static readonly NsqError AuthFailed = Create("E_AUTH_FAILED", "AUTH failed");
    public static readonly NsqError AuthNoAuthorizationsFound = Create("E_UNAUTHORIZED", "AUTH no authorizations found");

    public static readonly NsqError SubFailedExiting = Create("E_SUB_FAILED", "SUB failed exiting");
    /// <summary>Text as nsqd has it (sic: "to deleted").</summary>
    public static readonly NsqError SubFailedToDeletedTopicChannel = Create("E_SUB_FAILED", "SUB failed to deleted topic/channel");
    public static readonly NsqError PubFailedExiting = Create("E_PUB_FAILED", "PUB failed exiting");
    public static readonly NsqError MpubFailedExiting = Create("E_MPUB_FAILED", "MPUB failed exiting");
    public static readonly NsqError DpubFailedExiting = Create("E_DPUB_FAILED", "DPUB failed exiting");

    /// <summary>nsqd/channel.go reasons for the non-fatal FIN/REQ/TOUCH failures.</summary>
    public const string ReasonIdNotInFlight = "ID not in flight";
    public const string ReasonClientDoesNotOwnMessage = "client does not own message";
    public const string ReasonIdAlreadyDeferred = "ID already deferred";
    public const string ReasonExiting = "exiting";

    /// <summary>Non-fatal <c>E_FIN_FAILED FIN &lt;id&gt; failed &lt;reason&gt;</c>, id as the client sent it.</summary>
    public static NsqError FinFailed(ReadOnlySpan<byte> rawId, string reason) =>
        Create("E_FIN_FAILED", "FIN "u8, rawId, Encoding.UTF8.GetBytes(" failed " + reason));

    /// <summary>Non-fatal <c>E_REQ_FAILED REQ &lt;id&gt; failed &lt;reason&gt;</c>.</summary>
    public static NsqError ReqFailed(ReadOnlySpan<byte> rawId, string reason) =>
        Create("E_REQ_FAILED", "REQ "u8, rawId, Encoding.UTF8.GetBytes(" failed " + reason));

    /// <summary>Non-fatal <c>E_TOUCH_FAILED TOUCH &lt;id&gt; failed &lt;reason&gt;</c>.</summary>
    public static NsqError TouchFailed(ReadOnlySpan<byte> rawId, string reason) =>
        Create("E_TOUCH_FAILED", "TOUCH "u8, rawId, Encoding.UTF8.GetBytes(" failed " + reason));

    /// <summary><c>E_SUB_FAILED SUB failed consumers for &lt;t&gt;:&lt;c&gt; exceeds limit of &lt;n&gt;</c>.</summary>
    public static NsqError SubFailedConsumerLimit(string topic, string channel, int limit) =>
        Create("E_SUB_FAILED", Invariant($"SUB failed consumers for {topic}:{channel} exceeds limit of {limit}"));

    /// <summary><c>E_IDENTIFY_FAILED IDENTIFY failed &lt;io/tls error&gt;</c>.</summary>
    public static NsqError IdentifyFailed(string error) => Create("E_IDENTIFY_FAILED", "IDENTIFY failed " + error);

    /// <summary><c>E_BAD_BODY IDENTIFY heartbeat interval (&lt;n&gt;) is invalid</c>.</summary>
    public static NsqError IdentifyHeartbeatIntervalInvalid(long value) =>
        Create("E_BAD_BODY", Invariant($"IDENTIFY heartbeat interval ({value}) is invalid"));

    /// <summary><c>E_BAD_BODY IDENTIFY output buffer timeout (&lt;n&gt;) is invalid</c>.</summary>
    public static NsqError IdentifyOutputBufferTimeoutInvalid(long value) =>
        Create("E_BAD_BODY", Invariant($"IDENTIFY output buffer timeout ({value}) is invalid"));

    /// <summary><c>E_BAD_BODY IDENTIFY output buffer size (&lt;n&gt;) is invalid</c>.</summary>
    public static NsqError IdentifyOutputBufferSizeInvalid(long value) =>
        Create("E_BAD_BODY", Invariant($"IDENTIFY output buffer size ({value}) is invalid"));

    /// <summary><c>E_BAD_BODY IDENTIFY sample rate (&lt;n&gt;) is invalid</c>.</summary>
    public static NsqError IdentifySampleRateInvalid(int value) =>
        Create("E_BAD_BODY", Invariant($"IDENTIFY sample rate ({value}) is invalid"));

    /// <summary><c>E_BAD_BODY IDENTIFY msg timeout (&lt;n&gt;) is invalid</c>.</summary>
    public static NsqError IdentifyMsgTimeoutInvalid(long value) =>
        Create("E_BAD_BODY", Invariant($"IDENTIFY msg timeout ({value}) is invalid"));

    /// <summary><c>E_AUTH_ERROR AUTH error &lt;err&gt;</c>.</summary>
    public static NsqError AuthError(string error) => Create("E_AUTH_ERROR", "AUTH error " + error);

    /// <summary><c>E_AUTH_FIRST AUTH required before &lt;CMD&gt;</c> (SUB, PUB, MPUB, DPUB).</summary>
    public static NsqError AuthRequiredBefore(CommandKind verb) =>
        Create("E_AUTH_FIRST", "AUTH required before " + Verb(verb));

    /// <summary><c>E_UNAUTHORIZED AUTH failed for &lt;CMD&gt; on "&lt;t&gt;" "&lt;c&gt;"</c>; channel "" for publishes.</summary>
    public static NsqError Unauthorized(CommandKind verb, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> channel) =>
        Create("E_UNAUTHORIZED", Invariant($"AUTH failed for {Verb(verb)} on {GoQuote.Quote(topic)} {GoQuote.Quote(channel)}"));

    /// <summary>
    /// <c>E_INVALID cannot &lt;VERB&gt; in current state (TLS required)</c> (--tls-required, not upgraded). nsqd checks
    /// it before dispatch, so the verb is the raw first token, known or not.
    /// </summary>
    public static NsqError TlsRequired(ReadOnlySpan<byte> verb) =>
        Create("E_INVALID", "cannot "u8, verb, " in current state (TLS required)"u8);
}
