using System.Buffers;

namespace OrleansNsq.Protocol;

/// <summary>
/// One parsed and validated V2 command. The slices point into the parser's input and stay valid until the caller
/// advances the pipe past them.
/// </summary>
public readonly struct V2Command
{
    internal V2Command(
        CommandKind kind,
        ReadOnlySequence<byte> topic = default,
        ReadOnlySequence<byte> channel = default,
        long number = 0,
        ReadOnlySequence<byte> rawId = default,
        long messageId = -1,
        ReadOnlySequence<byte> body = default,
        int messageCount = 0)
    {
        Kind = kind;
        Topic = topic;
        Channel = channel;
        Number = number;
        RawId = rawId;
        MessageId = messageId;
        Body = body;
        MessageCount = messageCount;
    }

    public CommandKind Kind { get; }

    /// <summary>SUB, PUB, MPUB, DPUB: the topic name, already valid per <see cref="NsqNames"/>.</summary>
    public ReadOnlySequence<byte> Topic { get; }

    /// <summary>SUB: the channel name, already valid.</summary>
    public ReadOnlySequence<byte> Channel { get; }

    /// <summary>
    /// RDY: count (0…max-rdy-count; <c>RDY</c> alone = 1, <c>RDY␠</c> = 0; 0 and meaningless after CLS, where nsqd
    /// ignores RDY). DPUB: defer in ms (0…max-req-timeout). REQ: timeout in ms, <b>not</b> clamped: the handler clamps
    /// it to 0…max-req-timeout as nsqd does (negative when nsqd's Duration arithmetic overflowed, which clamps to 0).
    /// </summary>
    public long Number { get; }

    /// <summary>FIN, REQ, TOUCH: the 16 id bytes as sent (for E_FIN_FAILED and friends).</summary>
    public ReadOnlySequence<byte> RawId { get; }

    /// <summary>
    /// FIN, REQ, TOUCH: the id as a 64-bit value, or −1 when the 16 bytes are not lowercase hex (such an id can never
    /// be in flight, as in nsqd, which compares raw bytes).
    /// </summary>
    public long MessageId { get; }

    /// <summary>
    /// PUB/DPUB: the message body. IDENTIFY: the JSON. AUTH: the secret. MPUB: the count × [i32 size][bytes] region
    /// after the count word (walk it with <see cref="MpubReader"/>).
    /// </summary>
    public ReadOnlySequence<byte> Body { get; }

    /// <summary>MPUB: number of parts, each already validated.</summary>
    public int MessageCount { get; }
}
