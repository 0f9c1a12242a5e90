namespace OrleansNsq.Protocol;

/// <summary>What <see cref="FrameReader.TryRead"/> found at the front of the buffer.</summary>
public enum FrameReadStatus : byte
{
    /// <summary>The frame is not complete yet; nothing was consumed.</summary>
    NeedMoreData,
    /// <summary>A whole frame, consumed.</summary>
    Frame,
    /// <summary>A size word no frame can have: the stream is broken, close it.</summary>
    Invalid,
}
