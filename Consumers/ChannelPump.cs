using Microsoft.Extensions.Logging;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// This process's side of one channel: the holders (consumers) here that share one subscriber id, the messages they
/// have in flight, and one pump that pulls batches from the channel grain against their summed free RDY and spreads
/// them over the holders with room. FIN/REQ/TOUCH are answered here at once (nsqd's errors need the owner) and reach
/// the grain in batches, so no grain call is made per message. The gateway has one per channel with TCP consumers; a
/// <see cref="ChannelConsumer"/> has its own with one holder.
/// </summary>
internal sealed partial class ChannelPump
{
    private readonly object _sync = new();
    private readonly List<HeldLeases> _holders = [];
    private int _nextHolder;
    private bool _stopped;
    private bool _channelDeleted;

    private readonly AutoResetSignal _credit = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IChannelGrain _grain;
    private readonly PumpSettings _settings;
    private readonly Func<Task>? _onEphemeralUnused;
    private readonly Func<Task>? _resubscribe;
    private long _resubscriptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _leaseScan;

    /// <summary><paramref name="onEphemeralUnused"/> is called when the channel answers a holder-count report with
    /// "ephemeral and unused everywhere": the owner deletes it through its topic (nsqd deletes an ephemeral channel
    /// with its last consumer), after any checks of its own. <paramref name="resubscribe"/> is called when a pull finds
    /// the channel unknown rather than deleted (<see cref="DeliveryBatch.DeletedByItsTopic"/> false: lost with a failed
    /// silo without having been saved): the owner SUBs again, which recreates it, and the pump drops its leases (they
    /// were the lost channel's), reports its holders and pulls on. Without one, the pump closes its holders as for a
    /// deletion (the gateway: NSQ clients reconnect and SUB, which recreates the channel).</summary>
    public ChannelPump(IChannelGrain grain, string topic, string channel, PumpSettings settings,
        Func<Task>? onEphemeralUnused, TimeProvider time, ILogger logger, Func<Task>? resubscribe = null)
    {
        _grain = grain;
        Topic = topic;
        Channel = channel;
        _settings = settings;
        _onEphemeralUnused = onEphemeralUnused;
        _resubscribe = resubscribe;
        _time = time;
        _logger = logger;
    }

    public string Topic { get; }
    public string Channel { get; }

    /// <summary>The subscriber id of this pump's pulls and reports.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>How many times a pull found the channel unknown and the pump subscribed again.</summary>
    public long Resubscriptions => Interlocked.Read(ref _resubscriptions);

    /// <summary>Raised after each resubscription, once the leases of the lost channel are dropped.</summary>
    public event Action? Resubscribed;

    public int HolderCount
    {
        get { lock (_sync) return _holders.Count; }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Starts the lease scan and the pump; it pulls once a holder has credit.</summary>
    public void Start()
    {
        _leaseScan = _time.CreateTimer(static s => ((ChannelPump)s!).OnLeaseScan(), this,
            _settings.LeaseScanInterval, _settings.LeaseScanInterval);
        _ = Task.Run(PumpAsync);
    }

    /// <summary>Joins a holder; null once the channel was found deleted (this pump stopped pulling and closed the
    /// holders it had, so one joining now would wait forever) or the pump was stopped.</summary>
    public HeldLeases? TryAdd(ILeaseHolder holder)
    {
        var leases = new HeldLeases(this, holder);
        lock (_sync)
        {
            if (_channelDeleted || _stopped) return null;
            _holders.Add(leases);
        }
        _ = ReportHolderCount();
        _credit.Set();
        return leases;
    }

    /// <summary>A holder leaves; its leases stay until FIN/REQ or their deadline (nsqd does not requeue on
    /// disconnect). Returns the number of holders left.</summary>
    public int Remove(HeldLeases leases)
    {
        int left;
        lock (_sync)
        {
            _holders.Remove(leases);
            left = _holders.Count;
        }
        if (left > 0) _ = ReportHolderCount();
        return left;
    }

    /// <summary>RDY changed, or a holder stopped taking messages: a holder may have room now.</summary>
    public void OnCreditChanged() => _credit.Set();

    /// <summary>Ends a waiting long poll at once, for an owner that knows no holder has room (a stopped reader); a
    /// batch it still brings finds no room and goes back to the channel.</summary>
    public void CancelPull() => _ = CancelPullQuietlyAsync();

    /// <summary>The last holder left: stop pulling (a batch that still arrives goes back to the channel), send what
    /// was settled, report zero holders (which may delete an ephemeral channel).</summary>
    public async Task StopAsync()
    {
        lock (_sync)
        {
            if (_stopped) return;
            _stopped = true;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _leaseScan?.Dispose();
        await CancelPullQuietlyAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        await ReportHolderCount().ConfigureAwait(false);
    }

    private async Task CancelPullQuietlyAsync()
    {
        try
        {
            await _grain.CancelPullAsync(Id).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The long poll then ends by itself within PullWait.
            PumpLog.CancelPullFailed(_logger, Topic, Channel, ex);
        }
    }

    private void CloseHolders()
    {
        HeldLeases[] holders;
        lock (_sync)
        {
            _channelDeleted = true;
            holders = [.. _holders];
        }
        foreach (var leases in holders) leases.Holder.OnChannelDeleted();
    }
}
