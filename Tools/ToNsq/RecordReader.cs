namespace OrleansNsq.Tools.ToNsq;

/// <summary>
/// Splits a stream into records on one delimiter byte, as to_nsq reads stdin (bufio.Reader.ReadBytes): the delimiter
/// is dropped, empty records are skipped, and a last record without a delimiter still counts.
/// </summary>
internal sealed class RecordReader(Stream input, byte delimiter)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next non-empty record, or null at the end of the input.</summary>
    public async ValueTask<byte[]?> ReadAsync(CancellationToken cancellationToken)
    {
        List<byte[]>? pieces = null;
        while (true)
        {
            var at = Array.IndexOf(_buffer, delimiter, _start, _end - _start);
            if (at >= 0)
            {
                var record = Join(pieces, _buffer.AsSpan(_start, at - _start));
                _start = at + 1;
                if (record.Length > 0) return record;
                pieces = null;
                continue;
            }
            if (_eof)
            {
                var rest = Join(pieces, _buffer.AsSpan(_start, _end - _start));
                _start = _end;
                return rest.Length > 0 ? rest : null;
            }
            if (_end > _start)
            {
                (pieces ??= []).Add(_buffer.AsSpan(_start, _end - _start).ToArray());
            }
            _start = _end = 0;
            var read = await input.ReadAsync(_buffer, cancellationToken).AsTask().WaitAsync(cancellationToken);
            if (read == 0) _eof = true;
            _end = read;
        }
    }

    private static byte[] Join(List<byte[]>? pieces, ReadOnlySpan<byte> tail)
    {
        if (pieces is null) return tail.ToArray();
        var result = new byte[pieces.Sum(p => p.Length) + tail.Length];
        var offset = 0;
        foreach (var piece in pieces)
        {
            piece.CopyTo(result, offset);
            offset += piece.Length;
        }
        tail.CopyTo(result.AsSpan(offset));
        return result;
    }
}
