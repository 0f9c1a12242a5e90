using BenchmarkDotNet.Attributes;
using Orleans.Concurrency;
using OrleansNsq.Gateway.Publishing;
using OrleansNsq.Messages;
using OrleansNsq.Publish.Benchmarks.Infrastructure;

namespace OrleansNsq.Publish.Benchmarks.Publishing;

/// <summary>
/// Many single publishes to one topic at once, as HTTP <c>/pub</c> from 32 keep-alive connections: 32 tasks each
/// publish 32 bodies of 200 B one after the other, either through the gateway's <see cref="TopicPublishQueue"/> (which
/// lets bodies that arrive while a call is out share the next batch) or as one grain call per body. One drained
/// channel, written behind. The mean is per publish: 1 s / mean = publishes per second.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)] // as the Silo runs (Microsoft.NET.Sdk.Web's default)
public class ConcurrentPublishBenchmarks
{
    public const int Publishers = 32;
    public const int PerPublisher = 32;
    private const int Publishes = Publishers * PerPublisher;

    private PublishTarget _target = null!;
    private ITopicGrain _topic = null!;
    private CountingTopic _counted = null!;
    private TopicPublishQueue _queue = null!;
    private byte[] _body = null!;
    private readonly Task[] _publishers = new Task[Publishers];

    [GlobalSetup]
    public void Setup()
    {
        _target = PublishTarget.StartAsync(channels: 1, memQueueSize: 10_000).GetAwaiter().GetResult();
        _topic = _target.Topic;
        _counted = new CountingTopic(_topic);
        _queue = new TopicPublishQueue(_counted, TimeSpan.FromSeconds(30), TimeProvider.System);
        _body = PublishTarget.NewBody();
        _queue.PublishAsync(_body, 0).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_counted.Calls > 1)
            Console.WriteLine($"// publish queue: {_counted.Messages} bodies in {_counted.Calls} grain calls, " +
                $"{(double)_counted.Messages / _counted.Calls:F1} per call");
        _target.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Publishes)]
    public Task GrainCallEach()
    {
        for (var i = 0; i < Publishers; i++) _publishers[i] = Task.Run(PublishDirectAsync);
        return Task.WhenAll(_publishers);
    }

    [Benchmark(OperationsPerInvoke = Publishes)]
    public Task ThroughPublishQueue()
    {
        for (var i = 0; i < Publishers; i++) _publishers[i] = Task.Run(PublishQueuedAsync);
        return Task.WhenAll(_publishers);
    }

    private async Task PublishDirectAsync()
    {
        for (var i = 0; i < PerPublisher; i++)
            await _topic.PublishAsync(new Immutable<PublishBatch>(PublishBatch.Single(_body)));
    }

    private async Task PublishQueuedAsync()
    {
        for (var i = 0; i < PerPublisher; i++) await _queue.PublishAsync(_body, 0);
    }
}
