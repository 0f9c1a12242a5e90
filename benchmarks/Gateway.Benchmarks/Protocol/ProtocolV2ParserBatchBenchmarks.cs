using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OrleansNsq.Gateway.Benchmarks.Infrastructure;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Protocol;

/// <summary>
/// Many messages per read, reported per message: one MPUB of bench_writer's batch (--batch-size 200 of --size
/// 200 B), and a read of 100 pipelined 200 B PUBs, each contiguous and in 4 KiB pool blocks, against
/// <see cref="FramingOnly"/> over the same bytes.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ProtocolV2ParserBatchBenchmarks
{
    /// <summary>nsq/bench/bench_writer defaults: --size 200, --batch-size 200.</summary>
    private const int BodySize = 200;
    private const int MpubCount = 200;
    private const int PipelinedPubs = 100;

    private const string Mpub = "Mpub";
    private const string MpubInBlocks = "MpubSegmented";
    private const string Pipelined = "Pipelined";
    private const string PipelinedInBlocks = "PipelinedSegmented";

    private readonly ProtocolV2Parser _parser = ClientWire.DefaultParser();
    private ReadOnlySequence<byte> _mpub;
    private ReadOnlySequence<byte> _mpubSegmented;
    private ReadOnlySequence<byte> _pubs;
    private ReadOnlySequence<byte> _pubsSegmented;

    [GlobalSetup]
    public void Setup()
    {
        var mpub = ClientWire.Mpub(ClientWire.BenchTopic, MpubCount, BodySize);
        var pubs = ClientWire.Repeat(ClientWire.Pub(ClientWire.BenchTopic, BodySize), PipelinedPubs);
        _mpub = new ReadOnlySequence<byte>(mpub);
        _mpubSegmented = PoolBlockSegment.Split(mpub);
        _pubs = new ReadOnlySequence<byte>(pubs);
        _pubsSegmented = PoolBlockSegment.Split(pubs);
        if (MpubContiguous() != MpubCount * BodySize || MpubSegmented() != MpubCount * BodySize ||
            PipelinedContiguous() != PipelinedPubs * BodySize || PipelinedSegmented() != PipelinedPubs * BodySize)
        {
            throw new InvalidOperationException("a batch did not parse whole");
        }
    }

    [BenchmarkCategory(Mpub), Benchmark(Baseline = true, OperationsPerInvoke = MpubCount)]
    public long FramingMpubContiguous() => FramingOnly.Mpub(_mpub);

    /// <summary>Parse, then walk the parts with <see cref="MpubReader"/> as ClientSession.Publish does.</summary>
    [BenchmarkCategory(Mpub), Benchmark(OperationsPerInvoke = MpubCount)]
    public long MpubContiguous() => ParseMpub(_mpub);

    [BenchmarkCategory(MpubInBlocks), Benchmark(Baseline = true, OperationsPerInvoke = MpubCount)]
    public long FramingMpubSegmented() => FramingOnly.Mpub(_mpubSegmented);

    [BenchmarkCategory(MpubInBlocks), Benchmark(OperationsPerInvoke = MpubCount)]
    public long MpubSegmented() => ParseMpub(_mpubSegmented);

    [BenchmarkCategory(Pipelined), Benchmark(Baseline = true, OperationsPerInvoke = PipelinedPubs)]
    public long FramingPipelinedContiguous() => FramingOnly.Pubs(_pubs);

    /// <summary>ClientSession's read loop: TryParse, slice past the command, until NeedMoreData.</summary>
    [BenchmarkCategory(Pipelined), Benchmark(OperationsPerInvoke = PipelinedPubs)]
    public long PipelinedContiguous() => ParseAll(_pubs);

    [BenchmarkCategory(PipelinedInBlocks), Benchmark(Baseline = true, OperationsPerInvoke = PipelinedPubs)]
    public long FramingPipelinedSegmented() => FramingOnly.Pubs(_pubsSegmented);

    [BenchmarkCategory(PipelinedInBlocks), Benchmark(OperationsPerInvoke = PipelinedPubs)]
    public long PipelinedSegmented() => ParseAll(_pubsSegmented);

    private long ParseMpub(in ReadOnlySequence<byte> input)
    {
        if (_parser.TryParse(input, ConnectionState.Init, out _, out var command, out _) != ParseStatus.Command)
        {
            return -1;
        }

        long bodies = 0;
        var parts = new MpubReader(command.Body);
        while (parts.TryNext(out var body))
        {
            bodies += body.Length;
        }

        return bodies;
    }

    private long ParseAll(in ReadOnlySequence<byte> input)
    {
        long bodies = 0;
        var buffer = input;
        while (_parser.TryParse(buffer, ConnectionState.Init, out var consumed, out var command, out _) == ParseStatus.Command)
        {
            bodies += command.Body.Length;
            buffer = buffer.Slice(consumed);
        }

        return bodies;
    }
}
