using System.Text;
using OrleansNsq.Tools.ToNsq;

namespace OrleansNsq.Tools.Tests.Tail;

/// <summary>to_nsq's splitting of stdin, in process: delimiters across reads, empty records, a last record without delimiter.</summary>
public sealed class RecordReaderTests
{
    [Fact]
    public async Task Records_split_across_reads_are_joined_and_empty_ones_skipped()
    {
        var big = new string('b', 70_000); // longer than the reader's buffer
        var input = new TrickleStream(Encoding.UTF8.GetBytes($"a\n\n{big}\nc\nlast"), chunk: 3);
        var reader = new RecordReader(input, (byte)'\n');
        var records = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None) is { } record) records.Add(Encoding.UTF8.GetString(record));
        Assert.Equal(["a", big, "c", "last"], records);
    }

    [Fact]
    public async Task Empty_input_has_no_records()
    {
        var reader = new RecordReader(new MemoryStream([]), (byte)',');
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, as a pipe may.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
