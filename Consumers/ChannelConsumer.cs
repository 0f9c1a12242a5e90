using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// An NSQ consumer of one channel for a .NET service that is an Orleans client (or runs in a silo): SUB, RDY,
/// FIN/REQ/TOUCH over the grain API instead of TCP, on the same engine as the gateway's TCP consumers
/// (<c>ChannelPump</c>). It registers a subscriber id with the channel (<see cref="IChannelGrain.SetSubscriberAsync"/>,
/// repeated as a heartbeat), long-polls <see cref="IChannelGrain.PullAsync"/> only while <see cref="ReadAllAsync"/>
/// runs and only for the free part of <see cref="ChannelConsumerOptions.MaxInFlight"/> (backpressure), and sends
/// FIN/REQ/TOUCH to <see cref="IChannelGrain.SettleAsync"/> in batches: while one call is out, the next batch grows,
/// so no grain call is made per message. It competes for messages with the channel's NSQ clients, as one more consumer.
/// </summary>
/// <remarks>
/// One reader at a time: <see cref="ReadAllAsync"/> is a single enumeration. <see cref="Fin(long)"/>, <see cref="Req(long, TimeSpan)"/> and
/// <see cref="Touch(long)"/> may be called from any thread. A message not settled within its msg_timeout is delivered
/// again (attempts + 1), to this or another consumer; settling it afterwards returns false, as nsqd answers
/// E_FIN_FAILED; so does settling a delivery from before a failover or a msg_timeout once the message was delivered
/// again (each delivery has its own <see cref="DeliveredMessage.LeaseToken"/>). A settlement that returned true and
/// reached the channel after its lease had ended there is refused by the channel (<see cref="RefusedSettlements"/>),
/// and the message comes again. Disposing does not requeue what is in flight (nsqd does not on disconnect): it times
/// out.
/// Local lease deadlines are the channel grain's (<see cref="DeliveryBatch.DeadlineUnixMs"/>), as in the gateway, so
/// the client's and the silos' clocks should agree (NTP).
/// </remarks>
public sealed class ChannelConsumer : IAsyncDisposable
{
    private readonly ChannelPump _pump;
    private readonly ReaderQueue _queue;
    private readonly HeldLeases _leases;
    private readonly ChannelConsumerOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private int _reading;
    private int _disposed;

    private ChannelConsumer(IGrainFactory grains, string topic, string channel, ChannelConsumerOptions options,
        TimeProvider time, ILogger logger)
    {
        _options = options;
        var topicGrain = grains.Topic(topic);
        var settings = new PumpSettings
        {
            MaxPullCount = options.MaxPullCount,
            PullWait = options.PullWait,
            RetryDelay = options.RetryDelay,
            ReportInterval = options.HeartbeatInterval,
        };
        _pump = new ChannelPump(grains.Channel(topic, channel), topic, channel, settings,
            async () => await topicGrain.DeleteChannelAsync(channel).ConfigureAwait(false), time, logger,
            resubscribe: async () => await topicGrain.CreateChannelAsync(channel).ConfigureAwait(false));
        _queue = new ReaderQueue(options.MaxInFlight, (int)options.MsgTimeout.TotalMilliseconds);
        _leases = _queue.Join(_pump)!; // a new pump takes every holder
    }

    /// <summary>SUB: creates the topic and the channel when needed (the first channel of a topic receives the
    /// topic's backlog, as in nsqd), registers this consumer with the channel (<c>client_count</c> + 1) and starts its
    /// heartbeat. Messages are leased only while <see cref="ReadAllAsync"/> runs.</summary>
    /// <param name="grains">The Orleans client (<c>IClusterClient</c>) or a silo's grain factory.</param>
    /// <param name="topic">An NSQ topic name (<c>[.a-zA-Z0-9_-]+(#ephemeral)?</c>, up to 64 characters).</param>
    /// <param name="channel">An NSQ channel name; <c>#ephemeral</c> channels are deleted when their last consumer leaves.</param>
    /// <param name="options">RDY, msg_timeout and the pull settings; null = the defaults.</param>
    /// <param name="logger">Where failed pulls, settlements and reports are logged; null = nowhere. A failed
    /// registration is logged and repeated, as the heartbeat is.</param>
    /// <param name="time">The clock of the local lease deadlines, the heartbeat and the pull retries (tests); null =
    /// the system clock.</param>
    /// <param name="cancellationToken">Cancels the subscription calls.</param>
    public static async Task<ChannelConsumer> SubscribeAsync(IGrainFactory grains, string topic, string channel,
        ChannelConsumerOptions? options = null, ILogger? logger = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        options ??= new ChannelConsumerOptions();
        options.Validate();
        await grains.Topic(topic).CreateChannelAsync(channel, cancellationToken).ConfigureAwait(false);
        var consumer = new ChannelConsumer(grains, topic, channel, options, time ?? TimeProvider.System,
            logger ?? NullLogger.Instance);
        await consumer._pump.ReportHolderCount().WaitAsync(cancellationToken).ConfigureAwait(false);
        consumer._pump.Start();
        return consumer;
    }

    public string Topic => _pump.Topic;

    public string Channel => _pump.Channel;

    /// <summary>This consumer's id at the channel (the <see cref="PullRequest.SubscriberId"/> of its pulls).</summary>
    public Guid SubscriberId => _pump.Id;

    /// <summary>Messages received and not yet FIN'd, REQ'd or timed out.</summary>
    public int InFlightCount => _leases.InFlightCount;

    /// <summary>FIN/REQ/TOUCH calls that returned true and that the channel refused afterwards: the lease had already
    /// ended there (a failover, or a msg_timeout that passed while the settlement was on its way). Each such message
    /// is delivered again, as after a timeout.</summary>
    public long RefusedSettlements => _queue.RefusedSettlements;

    /// <summary>True once a pull found the channel deleted by its topic (HTTP /channel/delete, /topic/delete,
    /// <see cref="ITopicGrain.DeleteChannelAsync"/>, the last consumer of an #ephemeral channel leaving): nsqd closes
    /// its consumers then, and <see cref="ReadAllAsync"/> ends. A channel lost with a failed silo is not deleted: the
    /// consumer subscribes again (<see cref="Resubscriptions"/>).</summary>
    public bool ChannelDeleted => _queue.ChannelDeleted;

    /// <summary>How many times a pull found the channel unknown where it lives now (its silo failed and it had not
    /// been saved: an #ephemeral channel or topic, or grain storage that lost it) and the consumer subscribed again,
    /// which recreated it. The messages held then are no longer in flight: settling them returns false.</summary>
    public long Resubscriptions => _pump.Resubscriptions;

    /// <summary>Raised on the pump's thread after each resubscription (<see cref="Resubscriptions"/> already counts it
    /// and the messages held before no longer settle): to log or count failovers. Keep handlers short; an exception
    /// they throw is logged and ignored.</summary>
    public event Action? Resubscribed
    {
        add => _pump.Resubscribed += value;
        remove => _pump.Resubscribed -= value;
    }

    /// <summary>
    /// The channel's messages as they are leased to this consumer, until <paramref name="cancellationToken"/> is
    /// cancelled, the consumer is disposed or the channel is deleted by its topic (<see cref="ChannelDeleted"/>). A
    /// failover does not end it: pulls that fail are tried again, and a channel the failover lost (one never saved)
    /// is subscribed to again and recreated (<see cref="Resubscriptions"/>). Each message is in flight until
    /// <see cref="Fin(long)"/>, <see cref="Req(long, TimeSpan)"/> or its msg_timeout; the next pull waits while
    /// <see cref="ChannelConsumerOptions.MaxInFlight"/> messages are in flight. Leases are taken only while the
    /// enumeration runs: stopping it hands the leased messages it has not yielded yet back to the channel (attempt
    /// not counted) and ends a waiting pull.
    /// </summary>
    public async IAsyncEnumerable<DeliveredMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (Interlocked.Exchange(ref _reading, 1) == 1)
            throw new InvalidOperationException("ChannelConsumer.ReadAllAsync is already being enumerated; a consumer has one reader");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
        _queue.StartReading();
        try
        {
            // Cancelled while messages were queued: none of them reaches the reader.
            while (!token.IsCancellationRequested)
            {
                if (_queue.TryTake(out var message))
                {
                    yield return message;
                    continue;
                }
                if (_queue.ChannelDeleted || !await WaitForMessagesAsync(token).ConfigureAwait(false)) break;
            }
        }
        finally
        {
            // The reader stopped (break, cancellation, exception): RDY 0, and what it never saw goes back to the
            // channel now instead of waiting for its msg_timeout. A long poll does not observe the token: CancelPull
            // makes it answer at once.
            _queue.StopReading();
            _pump.CancelPull();
            Volatile.Write(ref _reading, 0);
            _pump.FlushSettlements();
        }
    }

    private async Task<bool> WaitForMessagesAsync(CancellationToken token)
    {
        try
        {
            await _queue.WaitAsync(token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>FIN: the message is done. False when it is not in flight here (unknown, already settled, or its
    /// msg_timeout passed: the channel delivers it again), as nsqd's E_FIN_FAILED.</summary>
    public bool Fin(long id) => Sent(_leases.Fin(id));

    /// <summary>FIN of a received message: of this delivery of it only. False also when the message was delivered
    /// again since (after a failover or its msg_timeout, with another <see cref="DeliveredMessage.LeaseToken"/>): a
    /// stale delivery cannot settle the new one.</summary>
    public bool Fin(in DeliveredMessage message) => Sent(_leases.Fin(message.Id, message.LeaseToken));

    /// <summary>REQ: the message goes back to the channel, ready again after <paramref name="delay"/> (default at
    /// once; capped at <see cref="ChannelConsumerOptions.MaxReqDelay"/>) and delivered with attempts + 1. Counts in the
    /// channel's <c>requeue_count</c>. False as for <see cref="Fin(long)"/>.</summary>
    public bool Req(long id, TimeSpan delay = default) => Req(id, 0, delay);

    /// <summary>REQ of a received message: of this delivery of it only (as <see cref="Fin(in DeliveredMessage)"/>).</summary>
    public bool Req(in DeliveredMessage message, TimeSpan delay = default) => Req(message.Id, message.LeaseToken, delay);

    private bool Req(long id, int leaseToken, TimeSpan delay)
    {
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        if (delay > _options.MaxReqDelay) delay = _options.MaxReqDelay;
        return Sent(_leases.Req(id, (int)delay.TotalMilliseconds, leaseToken));
    }

    /// <summary>TOUCH: the message stays in flight for another msg_timeout from now (with
    /// <see cref="ChannelConsumerOptions.MsgTimeout"/> 0, for as long as the channel leased it; the node caps the
    /// total at --max-msg-timeout after delivery). False when it is not in flight here.</summary>
    public bool Touch(long id) => Sent(_leases.Touch(id));

    /// <summary>TOUCH of a received message: of this delivery of it only (as <see cref="Fin(in DeliveredMessage)"/>).</summary>
    public bool Touch(in DeliveredMessage message) => Sent(_leases.Touch(message.Id, message.LeaseToken));

    /// <summary>A settlement made here goes out at once, or with the next batch while a call is out.</summary>
    private bool Sent(SettleResult result)
    {
        if (result != SettleResult.Ok) return false;
        _pump.FlushSettlements();
        return true;
    }

    /// <summary>Completes when every FIN/REQ/TOUCH made before the call has reached the channel grain (or failed to:
    /// a failed batch is logged, and its messages time out and come again).</summary>
    public Task FlushAsync() => _pump.FlushAsync();

    /// <summary>Ends the reader, sends what was settled, and unsubscribes (<c>client_count</c> − 1). An
    /// <c>#ephemeral</c> channel left without consumers anywhere is deleted, as in nsqd. Messages still in flight
    /// are not requeued: they time out.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        _queue.StopReading();
        _pump.Remove(_leases);
        await _pump.StopAsync().ConfigureAwait(false);
    }
}
