namespace OrleansNsq.Gateway.Lookupd;

internal enum LookupCommandKind
{
    Ping,
    Identify,
    Register,
    Unregister,
}

/// <summary>One parsed command of nsqlookupd's TCP protocol. <see cref="Error"/> set: the command failed its checks
/// (state, params, names, IDENTIFY body) and only the error is to be sent, after which the connection closes.</summary>
internal sealed record LookupCommand(LookupCommandKind Kind, string? Topic = null, string? Channel = null, byte[]? Body = null)
{
    public LookupError? Error { get; init; }

    public static LookupCommand Failed(LookupCommandKind kind, LookupError error) => new(kind) { Error = error };
}

internal enum LookupParseStatus
{
    /// <summary>The command (and an IDENTIFY body) is not all buffered yet.</summary>
    NeedMoreData,
    Command,
    /// <summary>The peer closed in the middle of a command line: nsqlookupd stops without a reply.</summary>
    End,
    /// <summary>No line end within <see cref="LookupProtocolV1.MaxLineLength"/> bytes.</summary>
    LineTooLong,
}
