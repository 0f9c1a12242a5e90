using BenchmarkDotNet.Attributes;
using Orleans.Concurrency;
using OrleansNsq.Messages;
using OrleansNsq.Publish.Benchmarks.Infrastructure;

namespace OrleansNsq.Publish.Benchmarks.Publishing;

/// <summary>
/// A synchronous publisher: one PUB of 200 B, awaited before the next, as a connection whose every PUB waits for its
/// OK. The time per operation is the grain-call round trip that OK waits for (the socket and codec are not in it), on
/// a topic with 0, 1 or 2 drained channels, written behind (--mem-queue-size 10000) or durable (0: the call returns
/// once the log's commit is on disk). The baseline is an empty call to the same topic grain.
/// <para><see cref="PublishOne"/> awaits 100 calls in a row, as a connection's async read loop awaits each PUB;
/// <see cref="PublishOneBlocking"/> is one call per invocation, which the harness waits for by blocking its thread, so
/// each call also pays a thread's wake-up (a hand-off to a thread that sleeps).</para>
/// </summary>
[MemoryDiagnoser]
[GcServer(true)] // as the Silo runs (Microsoft.NET.Sdk.Web's default)
public class SynchronousPublishBenchmarks
{
    // Calls awaited one after the other per invocation: the harness blocks once per invocation, not per call, so the
    // time is what an async publisher (a connection's read loop) waits, not a thread's block and wake-up.
    private const int Calls = 100;

    private PublishTarget _target = null!;
    private ITopicGrain _topic = null!;
    private Immutable<PublishBatch> _batch;

    [Params(0, 1, 2)]
    public int Channels { get; set; }

    [Params(10_000, 0)]
    public long MemQueueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _target = PublishTarget.StartAsync(Channels, MemQueueSize).GetAwaiter().GetResult();
        _topic = _target.Topic;
        // One batch for every call: it is immutable, so the topic, its channels and the log may all keep it.
        _batch = new Immutable<PublishBatch>(PublishBatch.Single(PublishTarget.NewBody()));
        _topic.PublishAsync(_batch).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _target.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The floor: a grain call to the same activation that does nothing (ITopicGrain.ExistsAsync).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public async Task EmptyCall()
    {
        for (var i = 0; i < Calls; i++) await _topic.ExistsAsync();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public async Task PublishOne()
    {
        for (var i = 0; i < Calls; i++) await _topic.PublishAsync(_batch);
    }

    [Benchmark]
    public ValueTask PublishOneBlocking() => _topic.PublishAsync(_batch);
}
