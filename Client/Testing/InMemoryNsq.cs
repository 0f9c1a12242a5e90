using OrleansNsq.Protocol;

namespace OrleansNsq.Client.Testing;

/// <summary>
/// An nsqd stand-in for unit tests, without a server: an <see cref="INsqProducer"/> that keeps what is published, per
/// topic, and hands a topic's messages to a handler with the consumer's answer rules (return: FIN; throw: REQ, so the
/// message comes again with one more attempt). It checks what nsqd checks first (topic names, empty bodies) with nsqd's
/// error codes. It is not a second consumer: no RDY, backoff, attempts limit, dead-letter topic or delays; use
/// <see cref="NsqConsumer"/> against a Silo or nsqd for those.
/// </summary>
public sealed class InMemoryNsq : INsqProducer
{
    private readonly object _lock = new();
    private readonly Dictionary<string, List<ReadOnlyMemory<byte>>> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Pending>> _queues = new(StringComparer.Ordinal);

    /// <summary>When set, every publish throws it (to test a handler's path for a failed publish).</summary>
    public Exception? FailPublishesWith { get; set; }

    /// <summary>Every body published to <paramref name="topic"/>, in order (copies).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Published(string topic)
    {
        lock (_lock)
        {
            return _published.TryGetValue(topic, out var bodies) ? [.. bodies] : [];
        }
    }

    /// <summary>Messages of <paramref name="topic"/> not yet finished.</summary>
    public int Depth(string topic)
    {
        lock (_lock)
        {
            return _queues.TryGetValue(topic, out var queue) ? queue.Count : 0;
        }
    }

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
        MultiPublishAsync(topic, [body], cancellationToken);

    public Task MultiPublishAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailPublishesWith is { } failure)
        {
            return Task.FromException(failure);
        }

        if (!NsqNames.IsValid(topic))
        {
            return Task.FromException(new NsqErrorException("E_BAD_TOPIC", $"PUB topic name \"{topic}\" is not valid"));
        }

        if (bodies.Count == 0 || bodies.Any(b => b.IsEmpty))
        {
            return Task.FromException(new NsqErrorException("E_BAD_MESSAGE", "PUB invalid message body size 0"));
        }

        lock (_lock)
        {
            var published = Get(_published, topic);
            var queue = Get(_queues, topic);
            foreach (var body in bodies)
            {
                var copy = body.ToArray();
                published.Add(copy);
                queue.Enqueue(new Pending(copy, 1));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>DPUB; the delay is not waited for (the message is queued at once).</summary>
    public Task DeferredPublishAsync(string topic, TimeSpan delay, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return PublishAsync(topic, body, cancellationToken);
    }

    /// <summary>
    /// Hands <paramref name="topic"/>'s queued messages to <paramref name="handler"/> one at a time until none is left
    /// or <paramref name="maxDeliveries"/> were made (a handler that always fails would go on for ever). Returns every
    /// message delivered, in order, each with its <see cref="NsqMessage.Outcome"/>.
    /// </summary>
    public async Task<IReadOnlyList<NsqMessage>> DeliverAsync(string topic, Func<NsqMessage, CancellationToken, Task> handler,
        int maxDeliveries = 100, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var delivered = new List<NsqMessage>();
        while (delivered.Count < maxDeliveries && TryTake(topic, out var pending))
        {
            var message = NsqMessageFactory.Create(pending.Body, pending.Attempts, responder: new Responder(this, topic, pending));
            delivered.Add(message);
            try
            {
                await handler(message, cancellationToken).ConfigureAwait(false);
                if (!message.IsAutoResponseDisabled)
                {
                    await message.FinishAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception) when (!message.IsAutoResponseDisabled)
            {
                await message.RequeueAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        return delivered;
    }

    private bool TryTake(string topic, out Pending pending)
    {
        lock (_lock)
        {
            pending = default;
            return _queues.TryGetValue(topic, out var queue) && queue.TryDequeue(out pending);
        }
    }

    private void Requeue(string topic, Pending pending)
    {
        lock (_lock)
        {
            Get(_queues, topic).Enqueue(pending with { Attempts = pending.Attempts + 1 });
        }
    }

    private static T Get<T>(Dictionary<string, T> map, string topic) where T : new() =>
        map.TryGetValue(topic, out var value) ? value : map[topic] = new T();

    private readonly record struct Pending(byte[] Body, int Attempts);

    private sealed class Responder(InMemoryNsq nsq, string topic, Pending pending) : INsqMessageResponder
    {
        public ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken)
        {
            nsq.Requeue(topic, pending);
            return ValueTask.CompletedTask;
        }

        public ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
