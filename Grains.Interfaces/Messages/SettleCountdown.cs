namespace OrleansNsq.Messages;

/// <summary>
/// How many deliveries of one segment are still owed: its messages times the channels it was handed to. Each channel
/// counts a message down when it is finished there; at zero every channel is done with the segment, and a message
/// log that has not written it yet can leave it out (nsqd writes nothing while its consumers keep up). A channel that
/// keeps the segment's bodies only in the log (beyond --mem-queue-size) <see cref="Keep"/>s it written.
/// Shared by the channels of one silo (a segment that crosses silos arrives without it), so it is thread-safe.
/// </summary>
internal sealed class SettleCountdown(int deliveries)
{
    private int _owed = deliveries;

    /// <summary>True once every channel finished every message.</summary>
    public bool IsSettled => Volatile.Read(ref _owed) == 0;

    /// <summary>One message finished in one channel.</summary>
    public void Settle() => Interlocked.Decrement(ref _owed);

    /// <summary>The segment must be written whatever happens to its messages.</summary>
    public void Keep() => Interlocked.Exchange(ref _owed, int.MaxValue);
}
