using System.Threading.Channels;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers.Tests;

/// <summary>A consumer as the pump sees it, with RDY and msg_timeout set by the test and its deliveries recorded.</summary>
internal sealed class TestHolder(long ready, int msgTimeoutMs = 0) : ILeaseHolder
{
    private readonly Channel<long> _delivered = Channel.CreateUnbounded<long>();
    private readonly TaskCompletionSource _deleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ready = ready;

    public long Ready
    {
        get => Volatile.Read(ref _ready);
        set => Volatile.Write(ref _ready, value);
    }

    public bool SampleOut { get; set; }

    public Task Deleted => _deleted.Task;

    /// <summary>The ids delivered so far, in order.</summary>
    public List<long> Delivered { get; } = [];

    public Task<long> NextDeliveryAsync(string phase) => ScriptedChannel.Within(_delivered.Reader.ReadAsync().AsTask(), phase);

    long ILeaseHolder.ReadyCount => Ready;

    int ILeaseHolder.MsgTimeoutMs => msgTimeoutMs;

    bool ILeaseHolder.ShouldSampleOut() => SampleOut;

    bool ILeaseHolder.QueueDelivery(in DeliveredMessage message)
    {
        lock (Delivered) Delivered.Add(message.Id);
        _delivered.Writer.TryWrite(message.Id);
        return false;
    }

    void ILeaseHolder.StartDeliveries()
    {
    }

    void ILeaseHolder.OnChannelDeleted() => _deleted.TrySetResult();

    /// <summary>What the channel refused after the pump accepted it, in order.</summary>
    public Channel<(long Id, SettlementKind Kind)> Refused { get; } = Channel.CreateUnbounded<(long, SettlementKind)>();

    void ILeaseHolder.OnSettlementRefused(long id, SettlementKind kind) => Refused.Writer.TryWrite((id, kind));
}
