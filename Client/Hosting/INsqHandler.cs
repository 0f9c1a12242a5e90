namespace OrleansNsq.Client.Hosting;

/// <summary>
/// Handles one message of a hosted consumer (<c>AddNsqConsumer&lt;THandler&gt;</c>). A new instance is resolved in a
/// new DI scope for each message. Return: FIN. Throw: REQ with the consumer's delay (and, on the last attempt, the
/// dead-letter topic). For a manual answer, call <c>message.DisableAutoResponse()</c> and answer it yourself.
/// </summary>
public interface INsqHandler
{
    Task HandleAsync(NsqMessage message, CancellationToken cancellationToken);
}

/// <summary>As <see cref="INsqHandler"/>, with the body read as a <typeparamref name="T"/> first (a body that does not
/// read is a failure, as a throw).</summary>
public interface INsqHandler<in T>
{
    Task HandleAsync(T payload, NsqMessage message, CancellationToken cancellationToken);
}
