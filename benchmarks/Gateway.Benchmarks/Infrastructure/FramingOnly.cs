using System.Buffers;

namespace OrleansNsq.Gateway.Benchmarks.Infrastructure;

/// <summary>
/// The baseline of the parser benchmarks (Bedrock's PipeOnly): the least any V2 reader must do to step over the
/// commands: find '\n', read the size words, skip the bodies. No verb match, no name, number or limit check.
/// </summary>
internal static class FramingOnly
{
    /// <summary>Steps over PUB-shaped commands (line, [i32 size][body]) until the input ends; returns the body bytes.</summary>
    public static long Pubs(in ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        long bodies = 0;
        while (reader.TryAdvanceTo((byte)'\n') && reader.TryReadBigEndian(out int size))
        {
            reader.Advance(size);
            bodies += size;
        }

        return bodies;
    }

    /// <summary>Steps over one MPUB: line, [i32 body size][i32 count], then each [i32 size][body]; returns the body bytes.</summary>
    public static long Mpub(in ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        long bodies = 0;
        if (!reader.TryAdvanceTo((byte)'\n') || !reader.TryReadBigEndian(out int _) || !reader.TryReadBigEndian(out int count))
        {
            return 0;
        }

        for (var i = 0; i < count && reader.TryReadBigEndian(out int size); i++)
        {
            reader.Advance(size);
            bodies += size;
        }

        return bodies;
    }
}
