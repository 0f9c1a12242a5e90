using BenchmarkDotNet.Attributes;
using Orleans.Concurrency;
using OrleansNsq.Messages;
using OrleansNsq.Publish.Benchmarks.Infrastructure;

namespace OrleansNsq.Publish.Benchmarks.Publishing;

/// <summary>
/// One MPUB of 200 × 200 B (bench_writer's <c>--batch-size 200 --size 200</c>) per operation, awaited, on a topic with
/// one drained channel; written behind or durable (--mem-queue-size 0). Divide the mean by 200 for the cost per
/// message.
/// <para>One drain cannot keep up with this publisher (the log shows how deep the channel got), so
/// <see cref="PublishBatchOf200"/> publishes into a growing backlog: the channel keeps the bodies beyond
/// --mem-queue-size on disk and the log writes every batch. <see cref="PublishBatchOf200AndConsume"/> waits after its
/// batches until the drain has finished them too: the cost per batch of writing and reading at once.</para>
/// </summary>
[MemoryDiagnoser]
[GcServer(true)] // as the Silo runs (Microsoft.NET.Sdk.Web's default)
public class BatchPublishBenchmarks
{
    public const int BatchSize = 200;

    // Batches awaited one after the other per invocation (see SynchronousPublishBenchmarks).
    private const int Calls = 10;

    private PublishTarget _target = null!;
    private ITopicGrain _topic = null!;
    private Immutable<PublishBatch> _batch;
    private long _published;

    [Params(10_000, 0)]
    public long MemQueueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _target = PublishTarget.StartAsync(channels: 1, MemQueueSize).GetAwaiter().GetResult();
        _topic = _target.Topic;
        var body = PublishTarget.NewBody();
        _batch = new Immutable<PublishBatch>(PublishBatch.From(Enumerable.Repeat(body, BatchSize).ToArray()));
        _topic.PublishAsync(_batch).AsTask().GetAwaiter().GetResult();
        _published = BatchSize;
    }

    [GlobalCleanup]
    public void Cleanup() => _target.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task PublishBatchOf200()
    {
        for (var i = 0; i < Calls; i++) await _topic.PublishAsync(_batch);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task PublishBatchOf200AndConsume()
    {
        for (var i = 0; i < Calls; i++) await _topic.PublishAsync(_batch);
        _published += Calls * BatchSize;
        await _target.Drains[0].WhenFinishedAsync(_published);
    }
}
