using System.Text;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// The errors of nsqlookupd's TCP protocol (nsqlookupd/lookup_protocol_v1.go), each sent as <c>"CODE text"</c> in a
/// response. Every one of them is a FatalClientErr there: the connection closes after the reply. Names are kept as
/// the bytes the peer sent (Latin-1 round-trips them), as Go's <c>'%s'</c> prints them.
/// </summary>
internal sealed record LookupError(string Code, string Text)
{
    /// <summary>A bad magic gets this bare word (nsqlookupd/tcp.go), not a "CODE text" pair.</summary>
    public static readonly byte[] BadProtocol = "E_BAD_PROTOCOL"u8.ToArray();

    public static readonly LookupError MustIdentify = new("E_INVALID", "client must IDENTIFY");
    public static readonly LookupError IdentifyAgain = new("E_INVALID", "cannot IDENTIFY again");
    public static readonly LookupError BodySize = new("E_BAD_BODY", "IDENTIFY failed to read body size");
    public static readonly LookupError Body = new("E_BAD_BODY", "IDENTIFY failed to read body");
    public static readonly LookupError Json = new("E_BAD_BODY", "IDENTIFY failed to decode JSON body");
    public static readonly LookupError MissingFields = new("E_BAD_BODY", "IDENTIFY missing fields");

    public static LookupError InvalidCommand(string command) => new("E_INVALID", $"invalid command {command}");

    public static LookupError InsufficientParams(string command) => new("E_INVALID", $"{command} insufficient number of params");

    public static LookupError BadTopic(string command, string topic) => new("E_BAD_TOPIC", $"{command} topic name '{topic}' is not valid");

    public static LookupError BadChannel(string command, string channel) => new("E_BAD_CHANNEL", $"{command} channel name '{channel}' is not valid");

    public byte[] ToBytes() => Encoding.Latin1.GetBytes($"{Code} {Text}");

    public override string ToString() => $"{Code} {Text}";
}
