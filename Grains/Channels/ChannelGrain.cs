using OrleansNsq.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// The grain shell around <see cref="ChannelQueue"/>: long polls, the scan timer and subscribers. Reentrant so a
/// waiting pull never blocks an enqueue or a settle; every state change happens synchronously within one turn, so
/// interleaving only ever happens at the awaits of a waiting pull or the timer.
/// Placed with its caller: the topic activates it (its first call is the topic's create), keeping a topic's data on
/// one silo.
/// A non-ephemeral channel saves <see cref="ChannelState"/> on create, delete, pause and unpause, never on pull or
/// settle, and restores it on activation: after a restart it exists (serves pulls) and keeps its paused flag.
/// With a message log, it also writes its cursor (what it still has to deliver) at most every
/// <see cref="ChannelOptions.CursorSaveInterval"/> and on deactivation, and rebuilds its queue from the cursor and the
/// topic's stored batches when it activates.
/// </summary>
[Reentrant, KeepAlive, PreferLocalPlacement]
internal sealed class ChannelGrain : Grain, IChannelFeedGrain
{
    private readonly ChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChannelGrain> _logger;
    private readonly IPersistentState<ChannelState> _state;
    // Reentrant: a pause may arrive while the create is being written; one save at a time, each writing what is true
    // when it runs.
    private readonly SemaphoreSlim _saveLock = new(1, 1);
    private ChannelQueue _queue;
    private readonly SubscriberTable _subscribers = new();
    private readonly PendingPulls _pulls = new();
    private string _topic = "";
    private string _channel = "";
    private bool _ephemeral;
    // Neither the channel nor its topic is #ephemeral: only then is its metadata saved.
    private bool _saved;
    // The topic's first EnqueueAsync creates the channel; DeleteAsync ends it. Anything pulled meanwhile is Deleted
    // (when this activation deleted it) or Unknown.
    private bool _exists;
    private IGrainTimer? _timer;
    private TimeSpan _timerPeriod;
    // The message log, when the node has one and the channel is durable (_saved).
    private readonly MessageLog? _log;
    // The highest id the topic has handed over (or the channel's start): the cursor's ReceivedThroughId.
    private long _receivedThrough;
    private bool _cursorDirty;
    private long _cursorSavedAtMs;
    // --mem-queue-size for a logged channel (0 = unlimited); a read of stored messages under way.
    private int _memoryLimit;
    private bool _refilling;
    // Since DeleteAsync: this activation deleted the channel (pulls answer Deleted, not Unknown, until it is created
    // again). The subscribers registered then that have not pulled since, so have not heard of it; the activation
    // stays until each has, or for the subscriber idle timeout, so a deletion is never mistaken for a lost channel.
    private bool _deletedHere;
    private HashSet<Guid>? _untold;
    private IGrainTimer? _untoldTimer;

    /// <summary>Batches per read of stored messages.</summary>
    private const int RefillBatches = 128;

    public ChannelGrain(IOptions<ChannelOptions> options, TimeProvider time, ILogger<ChannelGrain> logger, IServiceProvider services,
        [PersistentState("channel", NsqStateStorage.Name)] IPersistentState<ChannelState> state)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _state = state;
        _log = services.GetService<MessageLog>();
        _queue = NewQueue();
    }

    private bool Logged => _saved && _log is not null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A key that is not two NSQ names never becomes a channel: every call to it fails with this exception.
        if (!ChannelKey.TryParse(this.GetPrimaryKeyString(), out _topic, out _channel))
            throw new ArgumentException($"'{this.GetPrimaryKeyString()}' is not a channel key: topic/channel, each a valid NSQ name",
                "key");
        _ephemeral = NsqNames.IsEphemeral(_channel);
        _saved = !_ephemeral && !NsqNames.IsEphemeral(_topic);
        _memoryLimit = Logged ? _options.MemoryLimit : 0;
        _queue.MemoryLimit = _memoryLimit;
        if (!_saved || !_state.State.Exists) return;
        _exists = true;
        _queue.Paused = _state.State.Paused;
        if (!Logged) return;
        var store = _log!.Store;
        var cursor = await store.ReadCursorAsync(_topic, _channel, cancellationToken);
        var released = await store.ReadReleasedThroughAsync(_topic, cancellationToken);
        _receivedThrough = await ChannelCursor.RestoreAsync(_queue, cursor, store, _topic, released, _time.UnixMs(), cancellationToken);
        _cursorDirty = cursor is null;
        ArmTimer();
        ChannelLog.Restored(_logger, _topic, _channel, _queue.Depth, _queue.DeferredCount);
        StartRefill();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Do not hold the deactivation (silo shutdown) for the length of a long poll.
        _pulls.CompleteAll(DeliveryBatch.Empty);
        if (_exists && Logged && _cursorDirty) await SaveCursorAsync();
    }

    public async ValueTask CreateAsync(long startAfterId, Immutable<MessageSegment[]> held, CancellationToken cancellationToken = default)
    {
        if (_exists)
        {
            await EnqueueAsync(held, cancellationToken);
            return;
        }
        _receivedThrough = startAfterId;
        await EnqueueAsync(held, cancellationToken);
        // The cursor is on disk before the topic releases what it held to this channel, so the log never has a
        // released batch that no cursor covers.
        if (Logged) await SaveCursorAsync();
    }

    public ValueTask EnqueueAsync(Immutable<MessageSegment[]> segments, CancellationToken cancellationToken = default)
    {
        var created = !_exists;
        if (created)
        {
            _exists = true;
            _deletedHere = false;
            ChannelLog.Created(_logger, _topic, _channel);
        }
        var now = _time.UnixMs();
        var handed = segments.Value;
        // The topic hands segments over in id order and tries a failed call again; a call that landed before it
        // failed (a timeout) brings segments this channel already has (or read back from the log on activation).
        if (!created && handed.Length > 0 && handed[0].LastId <= _receivedThrough)
            handed = Array.FindAll(handed, segment => segment.LastId > _receivedThrough);
        foreach (var segment in handed) _receivedThrough = Math.Max(_receivedThrough, segment.LastId);
        _queue.Enqueue(handed, now);
        _pulls.Serve(_queue, now);
        Changed();
        return created ? new ValueTask(SaveAsync()) : ValueTask.CompletedTask;
    }

    public ValueTask<DeliveryBatch> PullAsync(PullRequest request, CancellationToken cancellationToken = default)
    {
        // A subscriber of the deleted channel hears of the deletion once, even if the channel was created again since.
        if (_untold is { } untold && untold.Remove(request.SubscriberId))
        {
            if (untold.Count == 0) ForgetUntold();
            return new(DeliveryBatch.Deleted);
        }
        if (!_exists)
        {
            // Deleted here: the subscriber's consumers end (nsqd closes them). Otherwise unknown, never created or lost
            // with its silo: the subscriber may SUB again, which recreates it.
            ForgetMissing();
            return new(_deletedHere ? DeliveryBatch.Deleted : DeliveryBatch.Unknown);
        }
        var now = _time.UnixMs();
        _subscribers.Seen(request.SubscriberId, now);
        if (request.MaxCount <= 0) return new(DeliveryBatch.Empty);
        // A refill can complete before StartRefill returns (the log already had everything on disk): lease what it
        // brought rather than wait for a next event that may not come.
        if (!_queue.CanLease) StartRefill();
        if (_queue.CanLease)
        {
            var batch = _queue.Lease(request.MaxCount, request.MsgTimeoutMs, now);
            ArmTimer();
            StartRefill();
            return new(batch);
        }
        if (request.WaitMs <= 0) return new(DeliveryBatch.Empty);
        // A wait the caller's response timeout would cut short fails the call instead of answering it empty.
        if (request.WaitMs > PullRequest.MaxWaitMs) request = request with { WaitMs = PullRequest.MaxWaitMs };
        return WaitAsync(_pulls.Add(request), cancellationToken);
    }

    public ValueTask CancelPullAsync(Guid subscriberId, CancellationToken cancellationToken = default)
    {
        if (!_exists) return ForgetMissing();
        _pulls.Cancel(subscriberId);
        return ValueTask.CompletedTask;
    }

    public ValueTask<SettleReport> SettleAsync(Immutable<Settlement[]> settlements, CancellationToken cancellationToken = default)
    {
        if (!_exists)
        {
            // Nothing is in flight in a channel that does not exist: every settlement is refused.
            ForgetMissing();
            var all = new int[settlements.Value.Length];
            for (var i = 0; i < all.Length; i++) all[i] = i;
            return new(new SettleReport(all.Length == 0 ? null : all));
        }
        var clock = _time.GetUtcNow();
        var now = clock.ToUnixTimeMilliseconds();
        List<int>? refused = null;
        if (_queue.Settle(settlements.Value, now, UnixNs(clock), ref refused) > 0) _pulls.Serve(_queue, now);
        Changed();
        if (refused is not null) ChannelLog.SettlementsRefused(_logger, _topic, _channel, refused.Count);
        return new(refused is null ? SettleReport.AllApplied : new SettleReport([.. refused]));
    }

    public ValueTask<bool> SetSubscriberAsync(Guid subscriberId, int clientCount, CancellationToken cancellationToken = default)
    {
        if (!_exists)
        {
            ForgetMissing();
            return new(false);
        }
        _subscribers.Set(subscriberId, clientCount, _time.UnixMs());
        ArmTimer();
        return new(_ephemeral && _subscribers.ClientCount == 0);
    }

    public ValueTask SetPausedAsync(bool paused, CancellationToken cancellationToken = default)
    {
        if (!_exists) return ForgetMissing();
        var changed = _queue.Paused != paused;
        _queue.Paused = paused;
        _pulls.Serve(_queue, _time.UnixMs());
        return changed ? new ValueTask(SaveAsync()) : ValueTask.CompletedTask;
    }

    public ValueTask EmptyAsync(CancellationToken cancellationToken = default)
    {
        if (!_exists) return ForgetMissing();
        _queue.Empty();
        Changed();
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (_exists) ChannelLog.Deleted(_logger, _topic, _channel);
        _exists = false;
        _deletedHere = true;
        // Who has to hear of it: the registered subscribers, less those waiting in a pull (answered now).
        var untold = new HashSet<Guid>(_subscribers.Ids());
        foreach (var id in _pulls.SubscriberIds()) untold.Remove(id);
        // Counters and the paused flag go too: a channel created again under this name starts fresh.
        _queue = NewQueue();
        _subscribers.Clear();
        _pulls.CompleteAll(DeliveryBatch.Deleted);
        _cursorDirty = false;
        ArmTimer();
        if (untold.Count > 0)
        {
            _untold = untold;
            _untoldTimer?.Dispose();
            _untoldTimer = this.RegisterGrainTimer(static (grain, _) =>
            {
                grain.ForgetUntold();
                return Task.CompletedTask;
            }, this, new GrainTimerCreationOptions(_options.SubscriberIdleTimeout, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
        else
        {
            ForgetUntold();
        }
        return new ValueTask(DeleteSavedAsync());
    }

    /// <summary>Every subscriber of a deletion heard of it (or the idle timeout passed: one that has not is presumed
    /// gone): the activation of a channel that does not exist may go.</summary>
    private void ForgetUntold()
    {
        _untold = null;
        _untoldTimer?.Dispose();
        _untoldTimer = null;
        if (!_exists) DeactivateOnIdle();
    }

    private async Task DeleteSavedAsync()
    {
        await SaveAsync();
        if (Logged) await _log!.WriteAsync(new LogWrite.DeleteCursor(_topic, _channel));
    }

    /// <summary>The queue changed: its cursor is to be written (within the save interval), and the timer may have
    /// timed work.</summary>
    private void Changed()
    {
        if (Logged) _cursorDirty = true;
        ArmTimer();
    }

    /// <summary>Writes the cursor as the queue is now and waits for the commit.</summary>
    private Task SaveCursorAsync()
    {
        _cursorDirty = false;
        _cursorSavedAtMs = _time.UnixMs();
        return _log!.WriteAsync(new LogWrite.SaveCursor(_topic, _channel, ChannelCursor.Take(_queue, _receivedThrough)));
    }

    public ValueTask<ChannelStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        if (!_exists) ForgetMissing();
        return new(new ChannelStats
        {
            ChannelName = _channel,
            Depth = _queue.Depth,
            BackendDepth = _queue.BackendDepth,
            InFlightCount = _queue.InFlightCount,
            DeferredCount = _queue.DeferredCount,
            MessageCount = _queue.MessageCount,
            RequeueCount = _queue.RequeueCount,
            TimeoutCount = _queue.TimeoutCount,
            ClientCount = _subscribers.ClientCount,
            Paused = _queue.Paused,
            Ephemeral = _ephemeral,
            E2eProcessingLatency = _queue.Latency?.Snapshot(UnixNs(_time.GetUtcNow())),
        });
    }

    /// <summary>Writes whether the channel exists and is paused, or removes its record once deleted. Ephemeral channels
    /// are never written, nor are the channels of an ephemeral topic (nsqd never saves them).</summary>
    private async Task SaveAsync()
    {
        if (!_saved) return;
        await _saveLock.WaitAsync();
        try
        {
            if (_exists)
            {
                if (_state.RecordExists && _state.State.Exists && _state.State.Paused == _queue.Paused) return;
                _state.State.Exists = true;
                _state.State.Paused = _queue.Paused;
                await _state.WriteStateAsync();
            }
            else if (_state.RecordExists)
            {
                await _state.ClearStateAsync();
                _state.State = new ChannelState();
            }
        }
        finally
        {
            _saveLock.Release();
        }
    }

    private ChannelQueue NewQueue() =>
        new((long)_options.MaxMsgTimeout.TotalMilliseconds, (int)_options.MsgTimeout.TotalMilliseconds)
        {
            MemoryLimit = _memoryLimit,
            Latency = _options.E2eProcessingLatencyPercentiles.Length == 0 ? null
                : new E2eLatencyWindow(_options.E2eProcessingLatencyPercentiles, _options.E2eProcessingLatencyWindowTime, UnixNs(_time.GetUtcNow())),
        };

    private static long UnixNs(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>Starts reading stored messages back when few bodies are left in memory (one read at a time).</summary>
    private void StartRefill()
    {
        if (_refilling || !Logged || !_queue.NeedsRefill) return;
        _refilling = true;
        _ = RefillAsync();
    }

    private async Task RefillAsync()
    {
        var queue = _queue;
        try
        {
            while (queue == _queue && queue.NeedsRefill && queue.FirstStored() is { } stored)
            {
                // The stored batches may still be on their way to the disk: a read sees them once committed.
                await _log!.FlushAsync();
                var batches = await _log.Store.ReadBatchesAsync(_topic, stored.FirstId - 1, RefillBatches);
                if (queue != _queue) break;
                var now = _time.UnixMs();
                var read = StoredBatchReader.Split(batches, stored.FirstId, stored.LastId, batches.Count < RefillBatches, now);
                if (!queue.ApplyStoredRead(stored.FirstId, read)) continue;
                _pulls.Serve(queue, now);
                ArmTimer();
            }
        }
        catch (Exception ex)
        {
            ChannelLog.RefillFailed(_logger, _topic, _channel, ex);
        }
        finally
        {
            _refilling = false;
        }
    }

    /// <summary>A call reached a channel that does not exist (deleted, or never created): do nothing, and let the
    /// activation go rather than keep it alive, unless subscribers have still to hear of its deletion.</summary>
    private ValueTask ForgetMissing()
    {
        if (_untold is null) DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<DeliveryBatch> WaitAsync(PendingPull pull, CancellationToken cancellationToken)
    {
        using var waitEnds = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(TimeSpan.FromMilliseconds(pull.Request.WaitMs), _time, waitEnds.Token);
        // Resumes on this activation (the grain's scheduler), so the checks below cannot race another turn.
        var first = await Task.WhenAny(pull.Answer, timeout);
        // Either way the delay's timer goes now, not when the wait would have run out.
        waitEnds.Cancel();
        // The delay may win WhenAny while another turn (enqueue, settle, timer) already served this pull: its
        // messages are leased, so they must go out rather than wait in flight for their timeout.
        if (first == pull.Answer || pull.Answer.IsCompleted) return await pull.Answer;
        _pulls.Remove(pull);
        return DeliveryBatch.Empty;
    }

    /// <summary>Runs the scan every <see cref="ChannelOptions.QueueScanInterval"/> while something is in flight or deferred,
    /// slowly while only subscribers are to be watched, and not at all on an idle channel.</summary>
    private void ArmTimer()
    {
        var period = _queue.HasTimedWork ? _options.QueueScanInterval
            : _cursorDirty ? Min(_options.CursorSaveInterval, _subscribers.Count > 0 ? _options.SubscriberIdleTimeout / 4 : TimeSpan.MaxValue)
            : _subscribers.Count > 0 ? _options.SubscriberIdleTimeout / 4
            : TimeSpan.Zero;
        if (period == _timerPeriod) return;
        _timerPeriod = period;
        if (period == TimeSpan.Zero)
        {
            _timer?.Dispose();
            _timer = null;
        }
        else if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        }
        else
        {
            _timer.Change(period, period);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        var now = _time.UnixMs();
        if (_queue.ProcessDue(now) > 0)
        {
            _pulls.Serve(_queue, now);
            if (Logged) _cursorDirty = true;
        }
        // Written behind: the turn does not wait for the commit (a crash redelivers what settled since).
        if (_cursorDirty && _exists && now - _cursorSavedAtMs >= (long)_options.CursorSaveInterval.TotalMilliseconds)
            _ = SaveCursorAsync().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        StartRefill();
        var hadClients = _subscribers.ClientCount > 0;
        if (_subscribers.Count > 0) ForgetIdleSubscribers(now);
        ArmTimer();
        if (_exists && _ephemeral && hadClients && _subscribers.ClientCount == 0)
        {
            // The last consumer's gateway is gone without saying so: delete as nsqd does when the last client leaves.
            // Not bound to the timer's token: the deletion disposes this timer, and must not cancel itself.
            ChannelLog.EphemeralAbandoned(_logger, _topic, _channel);
            await GrainFactory.Topic(_topic).DeleteChannelAsync(_channel, CancellationToken.None);
        }
    }

    private void ForgetIdleSubscribers(long now)
    {
        // A pull waiting right now is proof of life.
        foreach (var id in _pulls.SubscriberIds()) _subscribers.Seen(id, now);
        var forgotten = _subscribers.ForgetIdle(now, (long)_options.SubscriberIdleTimeout.TotalMilliseconds);
        if (forgotten > 0) ChannelLog.SubscribersForgotten(_logger, _topic, _channel, forgotten);
    }
}
