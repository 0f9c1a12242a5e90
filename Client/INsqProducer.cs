namespace OrleansNsq.Client;

/// <summary>
/// What publishing code needs of a producer: <see cref="NsqProducer"/> over TCP, or a fake in a unit
/// test. Typed and JSON publishes are extension methods over it (<see cref="NsqPublishExtensions"/>).
/// </summary>
public interface INsqProducer
{
    /// <summary>PUB: one message. Throws <see cref="NsqErrorException"/> with nsqd's code (E_BAD_TOPIC, E_BAD_MESSAGE,
    /// E_PUB_FAILED…) or <see cref="NsqConnectionException"/>.</summary>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>MPUB: several messages, queued all or none.</summary>
    Task MultiPublishAsync(string topic, IReadOnlyList<ReadOnlyMemory<byte>> bodies, CancellationToken cancellationToken = default);

    /// <summary>DPUB: one message delivered after <paramref name="delay"/> (whole milliseconds).</summary>
    Task DeferredPublishAsync(string topic, TimeSpan delay, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);
}
