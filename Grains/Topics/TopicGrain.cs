using OrleansNsq.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using OrleansNsq.Grains.Channels;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Topics;

/// <summary>
/// One NSQ topic: gives each published batch its ids and timestamp, counts it, and hands the same segment to every
/// channel (nsqd's messagePump, <see cref="ChannelFanOut"/>), or holds it while there is no channel or the topic is
/// paused. A publish is answered once the topic has accepted its batch (written behind) or once the batch is on disk
/// (<c>--mem-queue-size=0</c>); the channels get it in the fan-out's own calls.
/// Publishes interleave (their waits for the disk share commits) and take effect one at a time, each in one
/// synchronous step; every other change (channel creation, delete, pause) runs alone as <see cref="ExclusiveAsync"/>,
/// and publishes wait while one is under way, so no channel misses or resurrects a batch. Channels it calls are
/// reentrant, so their calls back (ephemeral deletion) cannot deadlock.
/// Placed on the silo of its first caller, the gateway that publishes or subscribes.
/// A non-ephemeral topic saves its metadata (<see cref="TopicState"/>) on create, delete, pause and channel changes,
/// never on publish; on activation it restores them and recreates its channels, so they take pulls and new messages.
/// With a message log, every batch of a non-ephemeral topic is appended to it (flagged held when the topic keeps it),
/// and on activation the topic takes back what it held and starts its ids above every stored one.
/// </summary>
[KeepAlive, PreferLocalPlacement]
internal sealed class TopicGrain(
    TimeProvider time,
    ILogger<TopicGrain> logger,
    IOptions<ChannelOptions> options,
    IServiceProvider services,
    [PersistentState("topic", NsqStateStorage.Name)] IPersistentState<TopicState> state) : Grain, ITopicGrain
{
    private readonly MessageLog? _log = services.GetService<MessageLog>();
    // --mem-queue-size=0: a publish answers once its batch is on disk.
    private readonly bool _durablePublish = options.Value.MemQueueSize == 0;
    private readonly double[] _e2eQuantiles = options.Value.E2eProcessingLatencyPercentiles;
    private readonly long _maxMsgSize = options.Value.MaxMsgSize;
    private readonly long _maxDeferMs = (long)options.Value.MaxReqTimeout.TotalMilliseconds;
    private readonly SortedDictionary<string, ChannelFanOut> _channels = new(StringComparer.Ordinal);
    private readonly TopicBacklog _backlog = new();
    // _channels' values as an array, so a publish enumerates without allocating.
    private ChannelFanOut[] _fanOut = [];
    // Set while a change other than a publish is under way (see ExclusiveAsync).
    private Task? _exclusive;
    private static readonly TimeSpan StatsCatchUpWait = TimeSpan.FromSeconds(1);
    private MessageIdSequence _ids = null!;
    private string _name = "";
    private bool _ephemeral;
    private bool _exists;
    private bool _paused;
    private long _messageCount;
    private long _messageBytes;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();
        // A key that is not an NSQ name ("a/b" would make its channels' keys split wrongly) never becomes a topic:
        // every call to it fails with this exception.
        NsqNames.ThrowIfInvalid(_name, "topic");
        _ephemeral = NsqNames.IsEphemeral(_name);
        _ids = new MessageIdSequence(time.UnixMs());
        if (Logged) _backlog.MemoryLimit = options.Value.MemoryLimit;
        if (Logged) _ids.StartAbove(await _log!.Store.ReadLastIdAsync(_name, cancellationToken));
        if (_ephemeral || !state.State.Exists) return;
        _exists = true;
        _paused = state.State.Paused;
        if (Logged) await RestoreHeldAsync(cancellationToken);
        foreach (var channel in state.State.Channels) _channels.Add(channel, NewFanOut(channel));
        _fanOut = [.. _channels.Values];
        // Each channel restores itself from its own record; the empty create call also recreates one whose record
        // is missing (a crash between the two writes), so every saved channel takes pulls and new messages again.
        var creates = new Task[_fanOut.Length];
        for (var i = 0; i < creates.Length; i++)
            creates[i] = _fanOut[i].Grain.EnqueueAsync(new Immutable<MessageSegment[]>([]), cancellationToken).AsTask();
        await Task.WhenAll(creates);
        TopicLog.Restored(logger, _name, _channels.Count, _paused);
    }

    private bool Logged => _log is not null && !_ephemeral;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // What was accepted reaches the channels before the topic goes (a silo's graceful shutdown).
        try
        {
            await WhenChannelsCaughtUpAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private ChannelFanOut NewFanOut(string channel) =>
        new(_name, channel, GrainFactory.ChannelFeed(_name, channel), time, logger);

    public async ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        var messages = batch.Value;
        // What nsqd refuses on the wire is refused here too, for every caller (the gateway has checked already): one
        // pass over the offsets, before anything waits or is taken.
        messages.ThrowIfMalformed(_maxMsgSize);
        if (messages.DeferMs > _maxDeferMs)
            throw new ArgumentOutOfRangeException(nameof(batch), messages.DeferMs,
                $"a publish is deferred at most --max-req-timeout ({_maxDeferMs} ms)");
        // Every wait comes before the accept, which is one synchronous step: publishes interleave only while they wait.
        // A caller that gives up (its gateway's --publish-timeout) is let go from any of these waits, before the accept:
        // a publish it was told failed is then not taken either. The backpressure waits stay as long as they need to be
        // for callers that wait.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_exclusive is { } busy)
            {
                await busy.WaitAsync(cancellationToken);
                continue;
            }
            if (!_exists)
            {
                await ExclusiveAsync(async () =>
                {
                    if (!_exists) await CreateCoreAsync();
                    return true;
                });
                continue;
            }
            if (messages.Count == 0) return;
            // While the log cannot commit, an OK would promise what the disk cannot keep: refuse (E_PUB_FAILED).
            if (Logged && _log!.Failure is { } failure)
                throw new MessageLogUnavailableException($"message log: cannot store topic {_name}'s messages: {failure.Message}", failure);
            // Publishers that outrun the disk or a channel wait here, before their batch is taken, so what the topic
            // has accepted and not yet handed on stays bounded.
            if (Logged && _log!.WhenRoomAsync() is { IsCompleted: false } room)
            {
                await room.WaitAsync(cancellationToken);
                continue;
            }
            if (FullFanOut() is { } full)
            {
                await full.WhenProgressAsync().WaitAsync(cancellationToken);
                continue;
            }
            break;
        }
        var ticket = Accept(messages);
        if (_durablePublish && ticket > 0) await _log!.WhenDurableAsync(ticket);
    }

    private ChannelFanOut? FullFanOut()
    {
        foreach (var channel in _fanOut)
            if (!channel.HasRoom) return channel;
        return null;
    }

    /// <summary>Ids, counters, the log append and the hand-over: one synchronous step. Returns the log ticket (0 when
    /// the topic is not logged).</summary>
    private long Accept(PublishBatch messages)
    {
        var now = time.UnixMs();
        var segment = new MessageSegment(_ids.Take(messages.Count), time.UnixNs(), messages);
        _messageCount += messages.Count;
        _messageBytes += messages.TotalBytes;
        var held = _paused || _fanOut.Length == 0;
        // Written behind, a batch every channel finishes before the log reaches it need not be written at all.
        if (!held && !_durablePublish && Logged) segment.Countdown = new SettleCountdown(messages.Count * _fanOut.Length);
        var ticket = Logged ? _log!.Append(new LogWrite.AppendBatch(_name, segment.FirstId, segment.Count, segment.TimestampNs,
            messages.DeferMs > 0 ? now + messages.DeferMs : 0, held, messages.Data.AsMemory(0, (int)messages.TotalBytes),
            messages.Ends) { Countdown = segment.Countdown }) : 0;
        if (held) _backlog.Add(segment);
        else foreach (var channel in _fanOut) channel.Add(segment);
        return ticket;
    }

    /// <summary>Runs a change other than a publish alone: publishes that arrive meanwhile wait for it (they would
    /// otherwise interleave at its awaits and see half a change, e.g. a channel listed but not yet created).</summary>
    private async ValueTask<T> ExclusiveAsync<T>(Func<ValueTask<T>> change)
    {
        while (_exclusive is { } busy) await busy;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _exclusive = done.Task;
        try
        {
            return await change();
        }
        finally
        {
            _exclusive = null;
            done.SetResult();
        }
    }

    /// <summary>Completes when every channel has what the topic accepted before the call.</summary>
    private Task WhenChannelsCaughtUpAsync()
    {
        var channels = _fanOut;
        if (channels.Length == 1) return channels[0].WhenCaughtUpAsync();
        var waits = new Task[channels.Length];
        for (var i = 0; i < channels.Length; i++) waits[i] = channels[i].WhenCaughtUpAsync();
        return Task.WhenAll(waits);
    }

    /// <summary>An ephemeral channel keeps everything in memory and has no cursor to hold the log's batches: what the
    /// topic hands it must carry its bodies, so stored segments are read back first.</summary>
    private async Task<MessageSegment[]> LoadStoredAsync(MessageSegment[] segments)
    {
        if (!segments.Any(s => s.IsStored)) return segments;
        await _log!.FlushAsync();
        var loaded = new List<MessageSegment>(segments.Length);
        var now = time.UnixMs();
        foreach (var segment in segments)
        {
            if (!segment.IsStored)
            {
                loaded.Add(segment);
                continue;
            }
            await _log.Store.ForEachBatchAsync(_name, segment.FirstId - 1, segment.LastId, stored =>
            {
                var deferMs = stored.DueUnixMs > now ? (int)Math.Min(int.MaxValue, stored.DueUnixMs - now) : 0;
                loaded.Add(new MessageSegment(stored.FirstId, stored.TimestampNs, new PublishBatch(stored.Data, stored.Ends, deferMs)));
            });
        }
        return [.. loaded];
    }

    /// <summary>On activation: the batches the topic held (no channel, or paused) when it last ran, as stored ids
    /// (bodies stay in the log until a channel reads them back).</summary>
    private async Task RestoreHeldAsync(CancellationToken cancellationToken)
    {
        foreach (var range in await _log!.Store.ReadHeldRangesAsync(_name, cancellationToken))
            _backlog.AddStored(range.FromId, range.ToId, (int)Math.Min(int.MaxValue, range.Count));
    }

    public async ValueTask CreateAsync(CancellationToken cancellationToken = default)
    {
        if (_exists) return;
        await ExclusiveAsync(async () =>
        {
            if (!_exists) await CreateCoreAsync();
            return true;
        });
    }

    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => new(_exists || ForgetMissing());

    public ValueTask CreateChannelAsync(string channel, CancellationToken cancellationToken = default) =>
        new(ExclusiveAsync(async () =>
        {
            await CreateChannelCoreAsync(channel, cancellationToken);
            return true;
        }).AsTask());

    private async Task CreateChannelCoreAsync(string channel, CancellationToken cancellationToken)
    {
        if (!_exists) await CreateCoreAsync();
        if (_channels.TryGetValue(channel, out var existing))
        {
            // SUB of a known channel: its activation may have been lost with a silo and come back not knowing it
            // exists (its pulls would answer Deleted forever). The empty create call tells it again.
            await existing.Grain.EnqueueAsync(new Immutable<MessageSegment[]>([]), cancellationToken);
            return;
        }
        var fanOut = NewFanOut(channel);
        _channels.Add(channel, fanOut);
        _fanOut = [.. _channels.Values];
        if (!NsqNames.IsEphemeral(channel)) await SaveAsync();
        // The channel owns every message from here on, and what the topic still holds (handed over now to a first
        // channel, as nsqd pumps its backlog to the first channel created, or later on unpause).
        var startAfter = (_backlog.FirstId ?? _ids.Next) - 1;
        MessageSegment[] held = !_paused && _fanOut.Length == 1 ? _backlog.TakeAll() : [];
        if (NsqNames.IsEphemeral(channel)) held = await LoadStoredAsync(held);
        await fanOut.Grain.CreateAsync(startAfter, new Immutable<MessageSegment[]>(held), cancellationToken);
        if (held.Length > 0 && Logged) _log!.Append(new LogWrite.ReleaseHeld(_name, held[^1].LastId));
        await GrainFactory.TopicDirectoryFeed().ChannelCreatedAsync(_name, channel, cancellationToken);
        TopicLog.ChannelCreated(logger, _name, channel);
    }

    public ValueTask<bool> DeleteChannelAsync(string channel, CancellationToken cancellationToken = default) =>
        ExclusiveAsync(() => DeleteChannelCoreAsync(channel, cancellationToken));

    private async ValueTask<bool> DeleteChannelCoreAsync(string channel, CancellationToken cancellationToken)
    {
        if (!_exists) return ForgetMissing();
        if (!_channels.Remove(channel, out var fanOut)) return false;
        fanOut.Stop();
        _fanOut = [.. _channels.Values];
        if (!NsqNames.IsEphemeral(channel)) await SaveAsync();
        await fanOut.Grain.DeleteAsync(cancellationToken);
        await GrainFactory.TopicDirectoryFeed().ChannelDeletedAsync(_name, channel, cancellationToken);
        TopicLog.ChannelDeleted(logger, _name, channel);
        // nsqd/topic.go DeleteExistingChannel: an ephemeral topic goes with its last channel.
        if (_ephemeral && _channels.Count == 0) await DeleteCoreAsync();
        return true;
    }

    public ValueTask<string[]> GetChannelsAsync(CancellationToken cancellationToken = default) =>
        new(_exists || ForgetMissing() ? _channels.Keys.ToArray() : []);

    public ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default) =>
        ExclusiveAsync(async () =>
        {
            if (!_exists) return ForgetMissing();
            await DeleteCoreAsync();
            return true;
        });

    public ValueTask<bool> SetPausedAsync(bool paused, CancellationToken cancellationToken = default) =>
        ExclusiveAsync(() => SetPausedCoreAsync(paused));

    private async ValueTask<bool> SetPausedCoreAsync(bool paused)
    {
        if (!_exists) return ForgetMissing();
        if (_paused != paused)
        {
            _paused = paused;
            await SaveAsync();
        }
        if (!paused && _backlog.Count > 0 && _fanOut.Length > 0)
        {
            var held = _backlog.TakeAll();
            if (_channels.Keys.Any(NsqNames.IsEphemeral)) held = await LoadStoredAsync(held);
            foreach (var channel in _fanOut) channel.AddRange(held);
            // As on channel creation: the channels have what was held before the log records it released.
            await WhenChannelsCaughtUpAsync();
            if (Logged) _log!.Append(new LogWrite.ReleaseHeld(_name, held[^1].LastId));
        }
        return true;
    }

    public ValueTask<bool> EmptyAsync(CancellationToken cancellationToken = default)
    {
        if (!_exists) return new(ForgetMissing());
        _backlog.Clear();
        if (Logged) _log!.Append(new LogWrite.DropHeld(_name, _ids.Next - 1));
        return new(true);
    }

    public async ValueTask<TopicStats?> GetStatsAsync(string? channel = null, CancellationToken cancellationToken = default)
    {
        if (!_exists)
        {
            ForgetMissing();
            return null;
        }
        // Counts that include every message published before the call (the fan-out may still be handing them on),
        // unless a channel does not answer: then the stats say what the channels have now rather than wait.
        try
        {
            await WhenChannelsCaughtUpAsync().WaitAsync(StatsCatchUpWait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        ChannelStats[] channels;
        if (channel is not null)
        {
            channels = _channels.TryGetValue(channel, out var one) ? [await one.Grain.GetStatsAsync(cancellationToken)] : [];
        }
        else
        {
            var pending = new Task<ChannelStats>[_fanOut.Length];
            for (var i = 0; i < pending.Length; i++) pending[i] = _fanOut[i].Grain.GetStatsAsync(cancellationToken).AsTask();
            // _fanOut follows the sorted dictionary, so the stats come out sorted by name.
            channels = await Task.WhenAll(pending);
        }
        return new TopicStats
        {
            TopicName = _name,
            Depth = _backlog.Count,
            BackendDepth = _backlog.StoredCount,
            MessageCount = _messageCount,
            MessageBytes = _messageBytes,
            Paused = _paused,
            Ephemeral = _ephemeral,
            Channels = channels,
            E2eProcessingLatency = LatencyBuckets.Merge(channels.Select(c => c.E2eProcessingLatency), _e2eQuantiles),
        };
    }

    /// <summary>A call about a topic that does not exist (/stats?topic=x, a lookup) activated this grain: let it go
    /// rather than keep an empty activation alive. Returns false for the caller's answer.</summary>
    private bool ForgetMissing()
    {
        DeactivateOnIdle();
        return false;
    }

    private async Task CreateCoreAsync()
    {
        _exists = true;
        // The directory first: after a crash between the two writes it names a topic that does not exist (skipped by
        // /stats), never the reverse (a topic /stats cannot find).
        await GrainFactory.TopicDirectoryFeed().TopicCreatedAsync(_name);
        await SaveAsync();
        TopicLog.Created(logger, _name);
    }

    private async Task DeleteCoreAsync()
    {
        var channels = _fanOut;
        // A topic created again after this starts fresh; only the id sequence carries on, so ids never repeat.
        _exists = false;
        _paused = false;
        _messageCount = 0;
        _messageBytes = 0;
        _backlog.Clear();
        _channels.Clear();
        _fanOut = [];
        foreach (var channel in channels) channel.Stop();
        await SaveAsync();
        var deletes = new Task[channels.Length];
        for (var i = 0; i < channels.Length; i++) deletes[i] = channels[i].Grain.DeleteAsync().AsTask();
        await Task.WhenAll(deletes);
        if (Logged) await _log!.WriteAsync(new LogWrite.DeleteTopic(_name));
        await GrainFactory.TopicDirectoryFeed().TopicDeletedAsync(_name);
        TopicLog.Deleted(logger, _name);
        DeactivateOnIdle();
    }

    /// <summary>Writes the topic's metadata as it is now, or removes its record once deleted. Ephemeral topics are
    /// never written (nsqd never saves them), nor are ephemeral channels.</summary>
    private async Task SaveAsync()
    {
        if (_ephemeral) return;
        if (!_exists)
        {
            if (state.RecordExists) await state.ClearStateAsync();
            state.State = new TopicState();
            return;
        }
        var channels = new List<string>(_channels.Count);
        foreach (var name in _channels.Keys)
            if (!NsqNames.IsEphemeral(name)) channels.Add(name);
        state.State.Exists = true;
        state.State.Paused = _paused;
        state.State.Channels = channels;
        await state.WriteStateAsync();
    }
}
