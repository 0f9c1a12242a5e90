using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OrleansNsq.Gateway.Benchmarks.Infrastructure;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Protocol;

/// <summary>
/// One PUB per operation, NSQ's sizes (nsqd/protocol_v2_test.go BenchmarkProtocolV2Pub256 … Pub1m, plus
/// bench_writer's 200 B). Contiguous is one read; Segmented is the same bytes in 4 KiB pool blocks (halves below
/// 8 KiB). Each group is measured against <see cref="FramingOnly"/>. Batches: <see cref="ProtocolV2ParserBatchBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ProtocolV2ParserBenchmarks
{
    private const string Contiguous = "Contiguous";
    private const string Segmented = "Segmented";

    private readonly ProtocolV2Parser _parser = ClientWire.DefaultParser();
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _segmented;

    /// <summary>The message body; 1 MiB is exactly the default --max-msg-size.</summary>
    [Params(200, 256, 1024 * 1024)]
    public int BodySize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var pub = ClientWire.Pub(ClientWire.BenchTopic, BodySize);
        _contiguous = new ReadOnlySequence<byte>(pub);
        _segmented = PoolBlockSegment.Split(pub);
        if (PubContiguous() != BodySize || PubSegmented() != BodySize)
        {
            throw new InvalidOperationException($"PUB of {BodySize} B did not parse");
        }
    }

    [BenchmarkCategory(Contiguous), Benchmark(Baseline = true)]
    public long FramingContiguous() => FramingOnly.Pubs(_contiguous);

    [BenchmarkCategory(Contiguous), Benchmark]
    public long PubContiguous() => Parse(_contiguous);

    [BenchmarkCategory(Segmented), Benchmark(Baseline = true)]
    public long FramingSegmented() => FramingOnly.Pubs(_segmented);

    [BenchmarkCategory(Segmented), Benchmark]
    public long PubSegmented() => Parse(_segmented);

    private long Parse(in ReadOnlySequence<byte> input) =>
        _parser.TryParse(input, ConnectionState.Init, out _, out var command, out _) == ParseStatus.Command
            ? command.Body.Length
            : -1;
}
