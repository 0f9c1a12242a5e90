namespace OrleansNsq.Protocol;

/// <summary>The frame type word of a server frame (nsqd/protocol_v2.go frameTypeResponse/Error/Message).</summary>
public enum FrameType
{
    Response = 0,
    Error = 1,
    Message = 2,
}
