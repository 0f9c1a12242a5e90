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
/// channel (nsqd's messagePump), or holds it while there is no channel or the topic is paused.
/// Not reentrant: a publish, a channel creation and a delete never interleave, so no channel misses or resurrects a
/// batch. Channels it calls are reentrant, so their calls back (ephemeral deletion) cannot deadlock.
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
    private ITopicGrain _self = null!;
    private readonly SortedDictionary<string, IChannelGrain> _channels = new(StringComparer.Ordinal);
    private readonly TopicBacklog _backlog = new();
    // _channels' grains as an array, so a publish enumerates without allocating.
    private IChannelGrain[] _fanOut = [];
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
        _ephemeral = ChannelKey.IsEphemeral(_name);
        _ids = new MessageIdSequence(time.UnixMs());
        _self = this.AsReference<ITopicGrain>();
        if (Logged) _backlog.MemoryLimit = options.Value.MemoryLimit;
        if (Logged) _ids.StartAbove(await _log!.Store.ReadLastIdAsync(_name, cancellationToken));
        if (_ephemeral || !state.State.Exists) return;
        _exists = true;
        _paused = state.State.Paused;
        if (Logged) await RestoreHeldAsync(cancellationToken);
        foreach (var channel in state.State.Channels) _channels.Add(channel, GrainFactory.Channel(_name, channel));
        _fanOut = [.. _channels.Values];
        // Each channel restores itself from its own record; the empty create call also recreates one whose record
        // is missing (a crash between the two writes), so every saved channel takes pulls and new messages again.
        var creates = new Task[_fanOut.Length];
        for (var i = 0; i < creates.Length; i++)
            creates[i] = _fanOut[i].EnqueueAsync(new Immutable<MessageSegment[]>([]), cancellationToken).AsTask();
        await Task.WhenAll(creates);
        TopicLog.Restored(logger, _name, _channels.Count, _paused);
    }

    private bool Logged => _log is not null && !_ephemeral;

    public async ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        // Interleaved: no state is touched here. The accept runs as an ordinary (one at a time) call on this grain.
        var ticket = await _self.AcceptPublishAsync(batch, cancellationToken);
        if (ticket > 0) await _log!.WhenDurableAsync(ticket);
    }

    public async ValueTask<bool> TryPublishWrittenBehindAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        // Durable: the wait for the disk must not hold this grain, so that waiting batches share commits.
        if (_durablePublish && Logged) return false;
        var ticket = await AcceptPublishAsync(batch, cancellationToken);
        if (ticket > 0) await _log!.WhenDurableAsync(ticket); // not expected written behind; never an early OK
        return true;
    }

    public async ValueTask<long> AcceptPublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        if (!_exists) await CreateCoreAsync();
        var messages = batch.Value;
        if (messages.Count == 0) return 0;
        // While the log cannot commit, an OK would promise what the disk cannot keep: refuse (E_PUB_FAILED).
        if (Logged && _log!.Failure is { } failure)
            throw new MessageLogUnavailableException($"message log: cannot store topic {_name}'s messages: {failure.Message}", failure);
        var now = time.UnixMs();
        var segment = new MessageSegment(_ids.Take(messages.Count), time.UnixNs(), messages);
        _messageCount += messages.Count;
        _messageBytes += messages.TotalBytes;
        var held = _paused || _fanOut.Length == 0;
        var ticket = Logged ? _log!.Append(new LogWrite.AppendBatch(_name, segment.FirstId, segment.Count, segment.TimestampNs,
            messages.DeferMs > 0 ? now + messages.DeferMs : 0, held, messages.Data.AsMemory(0, (int)messages.TotalBytes),
            messages.Ends)) : 0;
        if (held) _backlog.Add(segment);
        else await FanOutAsync([segment]);
        // Publishers that outrun the disk wait here, one batch at a time, instead of queueing without bound.
        if (Logged) await _log!.WhenRoomAsync();
        return _durablePublish ? ticket : 0;
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
        if (!_exists) await CreateCoreAsync();
    }

    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => new(_exists || ForgetMissing());

    public async ValueTask CreateChannelAsync(string channel, CancellationToken cancellationToken = default)
    {
        if (!_exists) await CreateCoreAsync();
        if (_channels.TryGetValue(channel, out var existing))
        {
            // SUB of a known channel: its activation may have been lost with a silo and come back not knowing it
            // exists (its pulls would answer Deleted forever). The empty create call tells it again.
            await existing.EnqueueAsync(new Immutable<MessageSegment[]>([]), cancellationToken);
            return;
        }
        var grain = GrainFactory.Channel(_name, channel);
        _channels.Add(channel, grain);
        _fanOut = [.. _channels.Values];
        if (!ChannelKey.IsEphemeral(channel)) await SaveAsync();
        // The channel owns every message from here on, and what the topic still holds (handed over now to a first
        // channel, as nsqd pumps its backlog to the first channel created, or later on unpause).
        var startAfter = (_backlog.FirstId ?? _ids.Next) - 1;
        MessageSegment[] held = !_paused && _fanOut.Length == 1 ? _backlog.TakeAll() : [];
        if (ChannelKey.IsEphemeral(channel)) held = await LoadStoredAsync(held);
        await grain.CreateAsync(startAfter, new Immutable<MessageSegment[]>(held), cancellationToken);
        if (held.Length > 0 && Logged) _log!.Append(new LogWrite.ReleaseHeld(_name, held[^1].LastId));
        await GrainFactory.TopicDirectory().ChannelCreatedAsync(_name, channel, cancellationToken);
        TopicLog.ChannelCreated(logger, _name, channel);
    }

    public async ValueTask<bool> DeleteChannelAsync(string channel, CancellationToken cancellationToken = default)
    {
        if (!_exists) return ForgetMissing();
        if (!_channels.Remove(channel, out var grain)) return false;
        _fanOut = [.. _channels.Values];
        if (!ChannelKey.IsEphemeral(channel)) await SaveAsync();
        await grain.DeleteAsync(cancellationToken);
        await GrainFactory.TopicDirectory().ChannelDeletedAsync(_name, channel, cancellationToken);
        TopicLog.ChannelDeleted(logger, _name, channel);
        // nsqd/topic.go DeleteExistingChannel: an ephemeral topic goes with its last channel.
        if (_ephemeral && _channels.Count == 0) await DeleteCoreAsync();
        return true;
    }

    public ValueTask<string[]> GetChannelsAsync(CancellationToken cancellationToken = default) =>
        new(_exists || ForgetMissing() ? _channels.Keys.ToArray() : []);

    public async ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (!_exists) return ForgetMissing();
        await DeleteCoreAsync();
        return true;
    }

    public async ValueTask<bool> SetPausedAsync(bool paused, CancellationToken cancellationToken = default)
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
            if (_channels.Keys.Any(ChannelKey.IsEphemeral)) held = await LoadStoredAsync(held);
            await FanOutAsync(held);
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
        ChannelStats[] channels;
        if (channel is not null)
        {
            channels = _channels.TryGetValue(channel, out var one) ? [await one.GetStatsAsync(cancellationToken)] : [];
        }
        else
        {
            var pending = new Task<ChannelStats>[_fanOut.Length];
            for (var i = 0; i < pending.Length; i++) pending[i] = _fanOut[i].GetStatsAsync(cancellationToken).AsTask();
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
        await GrainFactory.TopicDirectory().TopicCreatedAsync(_name);
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
        await SaveAsync();
        var deletes = new Task[channels.Length];
        for (var i = 0; i < channels.Length; i++) deletes[i] = channels[i].DeleteAsync().AsTask();
        await Task.WhenAll(deletes);
        if (Logged) await _log!.WriteAsync(new LogWrite.DeleteTopic(_name));
        await GrainFactory.TopicDirectory().TopicDeletedAsync(_name);
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
            if (!ChannelKey.IsEphemeral(name)) channels.Add(name);
        state.State.Exists = true;
        state.State.Paused = _paused;
        state.State.Channels = channels;
        await state.WriteStateAsync();
    }

    /// <summary>Hands the same segments to every channel at once and completes when all have them.</summary>
    private ValueTask FanOutAsync(MessageSegment[] segments)
    {
        var payload = new Immutable<MessageSegment[]>(segments);
        var channels = _fanOut;
        if (channels.Length == 1) return channels[0].EnqueueAsync(payload);
        var enqueues = new Task[channels.Length];
        for (var i = 0; i < channels.Length; i++) enqueues[i] = channels[i].EnqueueAsync(payload).AsTask();
        return new ValueTask(Task.WhenAll(enqueues));
    }
}
