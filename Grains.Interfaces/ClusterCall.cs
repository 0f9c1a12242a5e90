namespace OrleansNsq;

/// <summary>
/// A grain call that answers within a bound (the gateway's --publish-timeout) whatever is broken behind the caller: a
/// partition, a frozen grain host, a frozen database. The grain is handed a token cancelled at the bound, so a call
/// still waiting its turn there gives up without taking effect; the wait here is bounded on its own, because a target
/// cut off from the caller never acknowledges that cancellation. A call that already took effect when the bound passed
/// still completes behind the caller's back: for a publish, the client was told it failed, and NSQ's answer to that is
/// to publish again (at-least-once, as after any E_PUB_FAILED).
/// </summary>
public static class ClusterCall
{
    /// <summary>Runs <paramref name="call"/> (given the state and a token cancelled at the bound); throws
    /// <see cref="ClusterTimeoutException"/> when it has not completed within <paramref name="bound"/>.</summary>
    public static async Task WithinAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask> call, TimeSpan bound,
        TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(bound, time);
        try
        {
            await call(state, deadline.Token).AsTask().WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new ClusterTimeoutException(bound);
        }
    }

    /// <summary>As <see cref="WithinAsync{TState}"/>, for a call with a result.</summary>
    public static async Task<TResult> WithinAsync<TState, TResult>(TState state, Func<TState, CancellationToken, ValueTask<TResult>> call,
        TimeSpan bound, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(bound, time);
        try
        {
            return await call(state, deadline.Token).AsTask().WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new ClusterTimeoutException(bound);
        }
    }
}

/// <summary>A grain call did not answer within its bound (<see cref="ClusterCall"/>).</summary>
public sealed class ClusterTimeoutException(TimeSpan bound)
    : TimeoutException($"the cluster did not answer within {bound.TotalMilliseconds:0} ms");
