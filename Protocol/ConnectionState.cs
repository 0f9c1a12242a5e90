namespace OrleansNsq.Protocol;

/// <summary>
/// Connection state as nsqd/client_v2.go numbers it (stateInit = 0 … stateClosing = 4); /stats shows these values.
/// nsqd's stateDisconnected (1) and stateConnected (2) are never used by the V2 protocol.
/// </summary>
public enum ConnectionState : byte
{
    /// <summary>Before SUB: IDENTIFY, AUTH, SUB and the publish verbs are allowed.</summary>
    Init = 0,
    /// <summary>After SUB: RDY, FIN, REQ, TOUCH and CLS are allowed.</summary>
    Subscribed = 3,
    /// <summary>After CLS: RDY is ignored, FIN/REQ/TOUCH still allowed.</summary>
    Closing = 4,
}
