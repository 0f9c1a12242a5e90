namespace OrleansNsq.Protocol;

/// <summary>What <see cref="ProtocolV2Parser.TryParse"/> found at the front of the buffer.</summary>
public enum ParseStatus : byte
{
    /// <summary>The command is not complete yet; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>A complete, validated command.</summary>
    Command,
    /// <summary>An error frame to write; fatal ones close the connection after it.</summary>
    Error,
    /// <summary>16 KiB without a '\n': nsqd's ReadSlice fails and the connection is dropped without a frame.</summary>
    CloseSilently,
}
