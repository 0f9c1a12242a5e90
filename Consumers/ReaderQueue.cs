using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// The one holder of a <see cref="ChannelConsumer"/>: its deliveries wait here for <see cref="ChannelConsumer.ReadAllAsync"/>.
/// Its RDY is MaxInFlight only while a reader runs, so a consumer that never reads leases nothing; when the reader
/// stops, RDY is 0 again and what it did not take goes back to the channel at once (attempt not counted).
/// </summary>
internal sealed class ReaderQueue(int maxInFlight, int msgTimeoutMs) : ILeaseHolder
{
    private readonly object _sync = new();
    private readonly Queue<DeliveredMessage> _queue = new();
    private readonly AutoResetSignal _queued = new();
    private long _ready;
    private bool _reading;
    private volatile bool _channelDeleted;
    private HeldLeases? _leases;
    private long _refusedSettlements;

    /// <summary>True once the pump found the channel deleted.</summary>
    public bool ChannelDeleted => _channelDeleted;

    /// <summary>This holder's place in <paramref name="pump"/>; null when the pump has stopped.</summary>
    public HeldLeases? Join(ChannelPump pump) => _leases = pump.TryAdd(this);

    long ILeaseHolder.ReadyCount => Volatile.Read(ref _ready);

    int ILeaseHolder.MsgTimeoutMs => msgTimeoutMs;

    bool ILeaseHolder.ShouldSampleOut() => false;

    bool ILeaseHolder.QueueDelivery(in DeliveredMessage message)
    {
        lock (_sync)
        {
            _queue.Enqueue(message);
            return _queue.Count == 1; // the reader waits only on an empty queue
        }
    }

    void ILeaseHolder.StartDeliveries()
    {
        bool reading;
        lock (_sync) reading = _reading;
        // Delivered in the instant the reader stopped (the pump saw its RDY before it fell to 0): back it goes.
        if (reading) _queued.Set();
        else ReleaseUnread();
    }

    /// <summary>A FIN/REQ/TOUCH that returned true was refused by the channel afterwards (its lease had ended there):
    /// the message comes again, to this or another consumer, as after a timeout.</summary>
    void ILeaseHolder.OnSettlementRefused(long id, SettlementKind kind) => Interlocked.Increment(ref _refusedSettlements);

    /// <summary>Settlements the channel refused after they returned true.</summary>
    public long RefusedSettlements => Interlocked.Read(ref _refusedSettlements);

    void ILeaseHolder.OnChannelDeleted()
    {
        _channelDeleted = true;
        _queued.Set();
    }

    /// <summary>RDY = MaxInFlight: the pump may lease that many.</summary>
    public void StartReading()
    {
        lock (_sync)
        {
            _reading = true;
            Volatile.Write(ref _ready, maxInFlight);
        }
        _leases?.OnCreditChanged();
    }

    public bool TryTake(out DeliveredMessage message)
    {
        lock (_sync) return _queue.TryDequeue(out message);
    }

    /// <summary>Waits until a message is queued or the channel is deleted.</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _queued.WaitAsync(cancellationToken);

    /// <summary>RDY = 0, and what the reader never took goes back to the channel.</summary>
    public void StopReading()
    {
        lock (_sync)
        {
            _reading = false;
            Volatile.Write(ref _ready, 0);
        }
        ReleaseUnread();
    }

    private void ReleaseUnread()
    {
        DeliveredMessage[] unread;
        lock (_sync)
        {
            if (_reading || _queue.Count == 0 || _leases is null) return;
            unread = _queue.ToArray();
            _queue.Clear();
        }
        foreach (var message in unread) _leases.Release(message.Id, message.LeaseToken);
        _leases.FlushSettlements();
    }
}
