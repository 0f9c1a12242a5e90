using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Protocol;

/// <summary>
/// The client's write path, per command, as OrleansNsq.Client writes it into its connection's reused buffer: a PUB of
/// 200 B, and a consumer's FIN, REQ and RDY. The baseline copies the same 200 B body alone.
/// </summary>
[MemoryDiagnoser]
public class CommandWriterBenchmarks
{
    private const int Commands = 200;

    private static readonly byte[] Id = "0123456789abcdef"u8.ToArray();
    private readonly byte[] _body = new byte[200];
    private readonly ArrayBufferWriter<byte> _output = new(Commands * 256);

    [Benchmark(Baseline = true, OperationsPerInvoke = Commands)]
    public int CopyBodiesOnly()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Commands; i++) _output.Write(_body);
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Commands)]
    public int Pub()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Commands; i++) CommandWriter.WritePub(_output, "bench_topic", _body);
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Commands)]
    public int Fin()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Commands; i++) CommandWriter.WriteFin(_output, Id);
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Commands)]
    public int Req()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Commands; i++) CommandWriter.WriteReq(_output, Id, 90_000);
        return _output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Commands)]
    public int Rdy()
    {
        _output.ResetWrittenCount();
        for (var i = 0; i < Commands; i++) CommandWriter.WriteRdy(_output, 2500);
        return _output.WrittenCount;
    }
}
