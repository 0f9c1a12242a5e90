using Microsoft.Extensions.Logging;
using Orleans.Placement;
using OrleansNsq.Grains.Storage;

namespace OrleansNsq.Grains.Topics;

/// <summary>
/// One NSQ topic: gives each published batch its ids and timestamp, counts it, and hands the same segment to every
/// channel (nsqd's messagePump), or holds it while there is no channel or the topic is paused.
/// Not reentrant: a publish, a channel creation and a delete never interleave, so no channel misses or resurrects a
/// batch. Channels it calls are reentrant, so their calls back (ephemeral deletion) cannot deadlock.
/// Placed on the silo of its first caller, the gateway that publishes or subscribes.
/// A non-ephemeral topic saves its metadata (<see cref="TopicState"/>) on create, delete, pause and channel changes,
/// never on publish; on activation it restores them and recreates its channels, so they take pulls and new messages.
/// </summary>
[KeepAlive, PreferLocalPlacement]
internal sealed class TopicGrain(
    TimeProvider time,
    ILogger<TopicGrain> logger,
    [PersistentState("topic", NsqStateStorage.Name)] IPersistentState<TopicState> state) : Grain, ITopicGrain
{
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
        if (_ephemeral || !state.State.Exists) return;
        _exists = true;
        _paused = state.State.Paused;
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

    public async ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        if (!_exists) await CreateCoreAsync();
        var messages = batch.Value;
        if (messages.Count == 0) return;
        var segment = new MessageSegment(_ids.Take(messages.Count, time.UnixMs()), time.UnixNs(), messages);
        _messageCount += messages.Count;
        _messageBytes += messages.TotalBytes;
        if (_paused || _fanOut.Length == 0)
        {
            _backlog.Add(segment);
            return;
        }
        await FanOutAsync([segment]);
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
        // The first call creates the channel; a first channel also takes what the topic held (nsqd pumps its backlog
        // to the first channel created).
        MessageSegment[] held = !_paused && _fanOut.Length == 1 ? _backlog.TakeAll() : [];
        await grain.EnqueueAsync(new Immutable<MessageSegment[]>(held), cancellationToken);
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
        if (!paused && _backlog.Count > 0 && _fanOut.Length > 0) await FanOutAsync(_backlog.TakeAll());
        return true;
    }

    public ValueTask<bool> EmptyAsync(CancellationToken cancellationToken = default)
    {
        if (!_exists) return new(ForgetMissing());
        _backlog.Clear();
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
            BackendDepth = 0,
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
