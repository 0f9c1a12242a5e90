using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using OrleansNsq.Client.Serialization;

namespace OrleansNsq.Client;

/// <summary>Consumers whose handler takes the body as a typed value.</summary>
public sealed partial class NsqConsumer
{
    /// <summary>
    /// A consumer whose handler gets each body read through <paramref name="serializer"/>, with the message beside it
    /// (for its id, attempts, TOUCH or a manual answer). A body that does not read is a handler failure: REQ, and in the
    /// end the dead-letter topic or MaxAttemptsExceeded.
    /// </summary>
    public static NsqConsumer Create<T>(NsqConsumerOptions options, INsqSerializer<T> serializer, Func<T, NsqMessage, CancellationToken, Task> handler,
        ILogger<NsqConsumer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(handler);
        return new NsqConsumer(options, (message, cancellationToken) => handler(serializer.Deserialize(message.Body), message, cancellationToken),
            logger, timeProvider);
    }

    /// <summary>A consumer whose handler gets each body read as JSON through its source-generated type info
    /// (AOT-safe); see <see cref="Create{T}(NsqConsumerOptions, INsqSerializer{T}, Func{T, NsqMessage, CancellationToken, Task}, ILogger{NsqConsumer}?, TimeProvider?)"/>.</summary>
    public static NsqConsumer Create<T>(NsqConsumerOptions options, JsonTypeInfo<T> typeInfo, Func<T, NsqMessage, CancellationToken, Task> handler,
        ILogger<NsqConsumer>? logger = null, TimeProvider? timeProvider = null) =>
        Create(options, new NsqJsonSerializer<T>(typeInfo), handler, logger, timeProvider);
}
