using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansNsq.Gateway.Benchmarks.Infrastructure;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Protocol;

/// <summary>
/// The consumer's write path, per frame: 200 message frames of 200 B (one bench_reader batch at RDY 200), as
/// ClientSession.Output writes them before one flush, and the OK owed to each PUB of a publish batch. The baseline
/// copies the same bodies without framing.
/// </summary>
[MemoryDiagnoser]
public class FrameWriterBenchmarks
{
    private const int Frames = 200;
    private const int BodySize = 200;
    private const long TimestampNs = 1_764_000_000_000_000_000;

    private readonly byte[] _body = new byte[BodySize];
    private readonly ArrayBufferWriter<byte> _output = new(Frames * FrameWriter.MessageFrameSize(BodySize));
    private readonly NullBufferWriter _null = new();

    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public int CopyBodiesOnly()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Frames; i++)
        {
            _output.Write(_body);
        }

        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int MessagesToArrayBufferWriter()
    {
        _output.ResetWrittenCount();
        WriteMessages(_output);
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long MessagesToNullWriter()
    {
        WriteMessages(_null);
        return _null.Written;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public int OkFrames()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Frames; i++)
        {
            _output.Write(FrameWriter.OkFrame);
        }

        return _output.WrittenCount;
    }

    private void WriteMessages(IBufferWriter<byte> output)
    {
        for (var i = 0; i < Frames; i++)
        {
            FrameWriter.WriteMessage(output, TimestampNs + i, 1, i, _body);
        }
    }
}
