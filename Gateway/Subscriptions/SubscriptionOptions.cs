namespace OrleansNsq.Gateway.Subscriptions;

/// <summary>How a gateway subscription talks to its channel grain.</summary>
public sealed class SubscriptionOptions
{
    /// <summary>Most messages one pull may lease. 500 × 200 B stays far below the large-object heap per batch of
    /// references, and keeps Orleans' per-call cost under 1% at 450k msgs/s (measured in docs/PERFORMANCE.md).</summary>
    public int MaxPullCount { get; set; } = 500;

    /// <summary>How long a pull may wait in the channel grain when nothing is ready; at most 20 s
    /// (<see cref="Messages.PullRequest.MaxWaitMs"/>, below Orleans' 30 s call timeout): a longer one waits 20 s.</summary>
    public TimeSpan PullWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expired leases are freed on the gateway side (nsqd's queue scanner runs every 100 ms).</summary>
    public TimeSpan LeaseScanInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
