namespace OrleansNsq.Protocol;

/// <summary>Outcome of <see cref="ProtocolMagic.Check"/>.</summary>
public enum MagicStatus : byte
{
    /// <summary>Fewer than 4 bytes so far.</summary>
    NeedMoreData,
    /// <summary>"  V2": no reply, commands follow.</summary>
    Ok,
    /// <summary>Anything else: write <see cref="NsqError.BadProtocol"/> and close.</summary>
    Bad,
}
