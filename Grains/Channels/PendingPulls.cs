namespace OrleansNsq.Grains.Channels;

/// <summary>
/// Long polls waiting for messages, oldest first. When messages become ready they are shared among the waiting pulls
/// (each gets at most its MaxCount and at most an equal share), so two idle subscribers both get work from one
/// publish. Completions run their continuations asynchronously: the grain's state is never touched from inside
/// <see cref="TaskCompletionSource{TResult}.TrySetResult"/>.
/// </summary>
internal sealed class PendingPulls
{
    private readonly List<PendingPull> _pulls = [];

    public int Count => _pulls.Count;

    public PendingPull Add(PullRequest request)
    {
        var pull = new PendingPull(request);
        _pulls.Add(pull);
        return pull;
    }

    public void Remove(PendingPull pull) => _pulls.Remove(pull);

    public IEnumerable<Guid> SubscriberIds()
    {
        foreach (var pull in _pulls) yield return pull.Request.SubscriberId;
    }

    /// <summary>Leases ready messages to waiting pulls, oldest first. Returns how many pulls were answered.</summary>
    public int Serve(ChannelQueue queue, long nowUnixMs)
    {
        if (_pulls.Count == 0 || !queue.CanLease) return 0;
        var share = Math.Max(1, (queue.Depth + _pulls.Count - 1) / _pulls.Count);
        var served = 0;
        while (served < _pulls.Count && queue.CanLease)
        {
            var pull = _pulls[served++];
            pull.Complete(queue.Lease(Math.Min(pull.Request.MaxCount, share), pull.Request.MsgTimeoutMs, nowUnixMs));
        }
        _pulls.RemoveRange(0, served);
        return served;
    }

    /// <summary>CancelPull: the subscriber's waiting pulls answer empty at once.</summary>
    public void Cancel(Guid subscriberId)
    {
        for (var i = _pulls.Count - 1; i >= 0; i--)
        {
            if (_pulls[i].Request.SubscriberId != subscriberId) continue;
            _pulls[i].Complete(DeliveryBatch.Empty);
            _pulls.RemoveAt(i);
        }
    }

    /// <summary>Answers every waiting pull with <paramref name="batch"/> (channel deleted).</summary>
    public void CompleteAll(DeliveryBatch batch)
    {
        foreach (var pull in _pulls) pull.Complete(batch);
        _pulls.Clear();
    }
}

/// <summary>One waiting pull.</summary>
internal sealed class PendingPull(PullRequest request)
{
    private readonly TaskCompletionSource<DeliveryBatch> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PullRequest Request { get; } = request;

    public Task<DeliveryBatch> Answer => _completion.Task;

    public void Complete(DeliveryBatch batch) => _completion.TrySetResult(batch);
}
