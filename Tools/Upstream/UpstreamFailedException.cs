namespace OrleansNsq.Tools.Upstream;

/// <summary>
/// Thrown by a relay handler when the destination did not take the message, so the consumer REQs it; its own type so
/// that the relay's failure reads apart from the client's errors in the log.
/// </summary>
internal sealed class UpstreamFailedException(string message) : Exception(message);
