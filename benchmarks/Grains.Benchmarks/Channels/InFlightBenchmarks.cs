using BenchmarkDotNet.Attributes;
using OrleansNsq.Grains.Channels;
using OrleansNsq.Messages;

namespace OrleansNsq.Grains.Benchmarks.Channels;

/// <summary>
/// The channel's in-flight bookkeeping as the channel grain drives it: a segment of 200-byte messages arrives, is
/// leased and then finished (in order, shuffled, one at a time at RDY 1) or left to time out. Each benchmark goes
/// through <see cref="ChannelQueue"/>'s public verbs, so the same code measures any in-flight table behind them;
/// figures are per message.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class InFlightBenchmarks
{
    private const int LeaseSize = ChannelQueue.MaxLeaseCount;
    private const int SingleLeases = 5_000;
    private const int BodySize = 200;
    private const int TimeoutMs = 60_000;
    private const long Now = 1_764_000_000_000;
    private const long TimestampNs = 1_764_000_000_000_000_000;

    private readonly ChannelQueue _queue = new(maxMsgTimeoutMs: 15 * 60_000);
    private PublishBatch _lease = null!;
    private PublishBatch _singles = null!;
    private Settlement[] _finInOrder = null!;
    private Settlement[] _finShuffled = null!;
    private Settlement[] _finSingles = null!;
    private long _nextId = 1;

    [GlobalSetup]
    public void Setup()
    {
        _lease = Batch(LeaseSize);
        _singles = Batch(SingleLeases);
        // Ids repeat from one invocation to the next (every message is settled before the next segment arrives).
        _finInOrder = Fins(LeaseSize);
        _finShuffled = Fins(LeaseSize);
        new Random(13).Shuffle(_finShuffled);
        _finSingles = Fins(SingleLeases);
    }

    /// <summary>(a) One lease of 2,000, FIN in delivery order (one consumer at high RDY).</summary>
    [Benchmark(OperationsPerInvoke = LeaseSize)]
    public int LeaseThenFinInOrder()
    {
        _queue.Enqueue([new MessageSegment(1, TimestampNs, _lease)], Now);
        var batch = _queue.Lease(LeaseSize, TimeoutMs, Now);
        _queue.Settle(Stamp(_finInOrder, batch), Now);
        return batch.Messages.Length;
    }

    /// <summary>(b) One lease of 2,000, FIN in a shuffled order (handlers that finish out of order).</summary>
    [Benchmark(OperationsPerInvoke = LeaseSize)]
    public int LeaseThenFinShuffled()
    {
        _queue.Enqueue([new MessageSegment(1, TimestampNs, _lease)], Now);
        var batch = _queue.Lease(LeaseSize, TimeoutMs, Now);
        _queue.Settle(Stamp(_finShuffled, batch), Now);
        return batch.Messages.Length;
    }

    /// <summary>(c) RDY 1: 5,000 leases of one message, each finished before the next lease.</summary>
    [Benchmark(OperationsPerInvoke = SingleLeases)]
    public int LeaseOneFinOne()
    {
        _queue.Enqueue([new MessageSegment(1, TimestampNs, _singles)], Now);
        var leased = 0;
        for (var i = 0; i < SingleLeases; i++)
        {
            var batch = _queue.Lease(1, TimeoutMs, Now);
            leased += batch.Messages.Length;
            _queue.Settle(Stamp(_finSingles.AsSpan(i, 1), batch), Now);
        }
        return leased;
    }

    /// <summary>(c') Thousands of RDY 1 consumers: 5,000 leases of one message all in flight, then each finished.</summary>
    [Benchmark(OperationsPerInvoke = SingleLeases)]
    public int ManySingleLeasesThenFin()
    {
        _queue.Enqueue([new MessageSegment(1, TimestampNs, _singles)], Now);
        var leased = 0;
        for (var i = 0; i < SingleLeases; i++)
        {
            var batch = _queue.Lease(1, TimeoutMs, Now);
            leased += batch.Messages.Length;
            Stamp(_finSingles.AsSpan(i, 1), batch);
        }
        for (var i = 0; i < SingleLeases; i++) _queue.Settle(_finSingles.AsSpan(i, 1), Now);
        return leased;
    }

    /// <summary>(d) One lease of 2,000 that times out whole: ProcessDue requeues every message. The requeued
    /// messages are dropped afterwards (channel empty) so each invocation starts from the same state.</summary>
    [Benchmark(OperationsPerInvoke = LeaseSize)]
    public int LeaseThenExpireAll()
    {
        var firstId = _nextId;
        _nextId += LeaseSize;
        _queue.Enqueue([new MessageSegment(firstId, TimestampNs, _lease)], Now);
        _queue.Lease(LeaseSize, TimeoutMs, Now);
        var readied = _queue.ProcessDue(Now + TimeoutMs);
        _queue.Empty();
        return readied;
    }

    private static PublishBatch Batch(int count)
    {
        var bodies = new byte[count][];
        for (var i = 0; i < count; i++) bodies[i] = new byte[BodySize];
        return PublishBatch.From(bodies);
    }

    private static Settlement[] Fins(int count)
    {
        var fins = new Settlement[count];
        for (var i = 0; i < count; i++) fins[i] = new Settlement(1 + i, 0, SettlementKind.Finish);
        return fins;
    }

    /// <summary>Gives the prepared FINs the token of the lease they settle (every lease has its own): one store per
    /// FIN, as a consumer copies the token it was delivered with.</summary>
    private static Span<Settlement> Stamp(Span<Settlement> fins, DeliveryBatch batch)
    {
        var token = batch.Messages[0].LeaseToken;
        foreach (ref var fin in fins) fin = fin with { LeaseToken = token };
        return fins;
    }
}
