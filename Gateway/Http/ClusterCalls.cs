using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// One API request's calls into the cluster. They share one deadline, --publish-timeout
/// (<see cref="NsqdOptions.PublishTimeout"/>) from the request's start, so a handler that makes three calls still
/// answers within the bound. Each call gets the deadline's token, which Orleans forwards to the grain, and the wait
/// for its answer ends at the deadline too: a silo cut off from the cluster, or a frozen host, never acknowledges the
/// cancellation, and Orleans would wait for its 30 s response timeout. A read that falls back to this gateway's copy
/// says so (<see cref="FellBackTo"/>) and <see cref="Mark"/> marks the answer stale.
/// </summary>
internal sealed class ClusterCalls : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly TimeProvider _time;
    private readonly Lock _stale = new();
    private DateTimeOffset? _staleSince;
    private int _answered;

    public ClusterCalls(TimeSpan bound, TimeProvider time)
    {
        Bound = bound;
        _time = time;
        _deadline = new CancellationTokenSource(bound, time);
    }

    public TimeSpan Bound { get; }

    /// <summary>When the oldest copy the answer fell back to was read; null while every part is the cluster's
    /// answer of now.</summary>
    public DateTimeOffset? StaleSince
    {
        get
        {
            lock (_stale) return _staleSince;
        }
    }

    /// <summary>At least one call was answered (a request refused before any call says nothing about the
    /// cluster).</summary>
    public bool AnyAnswered => Volatile.Read(ref _answered) != 0;

    /// <summary>
    /// True for what "the cluster did not answer" looks like: our deadline (<see cref="TimeoutException"/>, also
    /// Orleans' own response timeout) and a target silo Orleans cannot reach or has declared dead
    /// (<see cref="OrleansMessageRejectionException"/>, <see cref="SiloUnavailableException"/> among them).
    /// </summary>
    public static bool IsUnanswered(Exception exception) =>
        exception is TimeoutException or OrleansMessageRejectionException;

    /// <summary>Calls the cluster, waiting at most until the deadline: <see cref="TimeoutException"/> after it.</summary>
    public async Task<T> CallAsync<T>(Func<CancellationToken, ValueTask<T>> call)
    {
        var token = _deadline.Token;
        if (token.IsCancellationRequested) throw Unanswered();
        try
        {
            var answer = await call(token).AsTask().WaitAsync(token);
            Volatile.Write(ref _answered, 1);
            return answer;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw Unanswered();
        }
    }

    /// <summary><see cref="CallAsync{T}"/> for a call without an answer.</summary>
    public async Task CallAsync(Func<CancellationToken, ValueTask> call)
    {
        var token = _deadline.Token;
        if (token.IsCancellationRequested) throw Unanswered();
        try
        {
            await call(token).AsTask().WaitAsync(token);
            Volatile.Write(ref _answered, 1);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw Unanswered();
        }
    }

    /// <summary>Part of the answer is a copy read from the cluster at <paramref name="readAt"/>. Reads of one
    /// request may fall back concurrently (/stats reads its topics in parallel).</summary>
    public void FellBackTo(DateTimeOffset readAt)
    {
        lock (_stale)
        {
            if (_staleSince is not { } since || readAt < since) _staleSince = readAt;
        }
    }

    /// <summary>The result, marked with the age of the oldest copy it used, if it used one.</summary>
    public ApiResult Mark(ApiResult result) =>
        StaleSince is { } since ? result.MarkedStale(_time.GetUtcNow() - since) : result;

    public void Dispose() => _deadline.Dispose();

    private TimeoutException Unanswered() => new($"The cluster did not answer within {Bound}");
}
