namespace OrleansNsq.Grains.Storage.Log;

/// <summary>A publish refused because the message log's commits fail (disk full, database gone): the gateway answers
/// E_PUB_FAILED / HTTP 500, and publishes succeed again once a commit does.</summary>
[GenerateSerializer]
public sealed class MessageLogUnavailableException : Exception
{
    public MessageLogUnavailableException(string message, Exception inner) : base(message, inner) { }

    public MessageLogUnavailableException(string message) : base(message) { }
}
