namespace OrleansNsq.Tools.Upstream;

/// <summary>
/// Thrown by a relay handler when the destination did not take the message, so the consumer REQs it. Its own type
/// because the consumer does not REQ on an NsqConnectionException (it takes that for its own connection being gone).
/// </summary>
internal sealed class UpstreamFailedException(string message) : Exception(message);
