using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// One read the HTTP APIs make of the cluster (the topic directory's entries, the external producers…) with this
/// gateway's copy of its last answer and the time it was read. While the cluster answers within the request's
/// deadline the answer replaces the copy; when it does not, or fails, the copy is answered instead (<c>none</c> before
/// there is one) and the request is marked stale. One reference swap per answer: the copy is the cluster's own
/// immutable value, never changed here.
/// </summary>
internal sealed class CachedClusterRead<T> where T : class
{
    private readonly T _none;
    private readonly TimeProvider _time;
    private readonly UnansweredEpisode _episode;
    /// <summary>What a part never read counts its age from: when this gateway started to read.</summary>
    private readonly DateTimeOffset _since;
    private Copy? _copy;

    /// <param name="name">What is read, for the log ("the topic directory").</param>
    /// <param name="none">The answer before any copy exists: an empty list.</param>
    public CachedClusterRead(string name, T none, TimeProvider time, ILogger logger)
    {
        _none = none;
        _time = time;
        _episode = new UnansweredEpisode(name, logger, HttpLog.ReadUnanswered);
        _since = time.GetUtcNow();
    }

    public async ValueTask<T> ReadAsync(ClusterCalls calls, Func<CancellationToken, ValueTask<T>> read)
    {
        try
        {
            var answer = await calls.CallAsync(read);
            Volatile.Write(ref _copy, new Copy(answer, _time.GetUtcNow()));
            _episode.Answered();
            return answer;
        }
        catch (Exception exception)
        {
            // Not only timeouts: whatever keeps the cluster from answering (a grain failing on a silo that lost its
            // store too) is answered from the copy; the episode's log keeps the exception.
            _episode.Unanswered(exception, calls.Bound);
            var copy = Volatile.Read(ref _copy);
            calls.FellBackTo(copy?.ReadAt ?? _since);
            return copy?.Value ?? _none;
        }
    }

    private sealed record Copy(T Value, DateTimeOffset ReadAt);
}
