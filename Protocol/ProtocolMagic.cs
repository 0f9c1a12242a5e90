using System.Buffers;

namespace OrleansNsq.Protocol;

/// <summary>
/// The 4-byte protocol magic a client sends first (nsqd/tcp.go). It may arrive split over several reads or together
/// with the first commands.
/// </summary>
public static class ProtocolMagic
{
    /// <summary>"␠␠V2": the only protocol nsqd speaks on its TCP port.</summary>
    public static ReadOnlySpan<byte> V2 => "  V2"u8;

    /// <summary>
    /// NeedMoreData until 4 bytes are in; then Ok (consumed after them) or Bad (write NsqError.BadProtocol.Frame, close).
    /// </summary>
    public static MagicStatus Check(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        consumed = buffer.Start;
        if (buffer.Length < 4)
        {
            return MagicStatus.NeedMoreData;
        }

        Span<byte> magic = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(magic);
        consumed = buffer.GetPosition(4);
        return magic.SequenceEqual(V2) ? MagicStatus.Ok : MagicStatus.Bad;
    }
}
