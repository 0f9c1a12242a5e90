using System.Threading.Channels;
using Orleans.Concurrency;
using OrleansNsq.Messages;
using OrleansNsq.Stats;

namespace OrleansNsq.Consumers.Tests;

/// <summary>A channel grain the test answers by hand: every pull waits until the test answers or fails it, and every
/// settle, report and cancel is recorded in the order it came, for the test to await.</summary>
internal sealed class ScriptedChannel : IChannelGrain
{
    private readonly Channel<PendingPull> _pulls = Channel.CreateUnbounded<PendingPull>();
    private readonly Channel<Settlement[]> _settles = Channel.CreateUnbounded<Settlement[]>();
    private readonly Channel<int> _reports = Channel.CreateUnbounded<int>();
    private readonly Channel<Guid> _cancels = Channel.CreateUnbounded<Guid>();

    /// <summary>While set, a settle call is recorded but does not return until the task completes.</summary>
    public Task? SettleGate { get; set; }

    /// <summary>The answer to a report of zero consumers: true = "ephemeral, and no consumer left anywhere".</summary>
    public bool EphemeralUnused { get; set; }

    public Task<PendingPull> NextPullAsync(string phase) => Within(_pulls.Reader.ReadAsync().AsTask(), phase);

    public Task<Settlement[]> NextSettleAsync(string phase) => Within(_settles.Reader.ReadAsync().AsTask(), phase);

    public Task<int> NextReportAsync(string phase) => Within(_reports.Reader.ReadAsync().AsTask(), phase);

    public Task<Guid> NextCancelAsync(string phase) => Within(_cancels.Reader.ReadAsync().AsTask(), phase);

    public bool HasPull => _pulls.Reader.TryPeek(out _);

    public bool HasSettle => _settles.Reader.TryPeek(out _);

    public static async Task<T> Within<T>(Task<T> task, string phase)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{phase}: nothing within 10 s");
        }
    }

    public async ValueTask<DeliveryBatch> PullAsync(PullRequest request, CancellationToken cancellationToken = default)
    {
        var pull = new PendingPull(request);
        await _pulls.Writer.WriteAsync(pull, cancellationToken);
        return await pull.Answer.Task;
    }

    public ValueTask CancelPullAsync(Guid subscriberId, CancellationToken cancellationToken = default) =>
        _cancels.Writer.WriteAsync(subscriberId, cancellationToken);

    public async ValueTask<SettleReport> SettleAsync(Immutable<Settlement[]> settlements, CancellationToken cancellationToken = default)
    {
        await _settles.Writer.WriteAsync(settlements.Value, cancellationToken);
        if (SettleGate is { } gate) await gate;
        // The ids the test made the channel forget: their settlements are refused, as a channel that failed over would.
        List<int>? refused = null;
        for (var i = 0; i < settlements.Value.Length; i++)
            if (Forgotten.Contains(settlements.Value[i].Id)) (refused ??= []).Add(i);
        return new SettleReport(refused?.ToArray());
    }

    /// <summary>Ids no longer in flight here (a failover lost their leases): their settlements are refused.</summary>
    public HashSet<long> Forgotten { get; } = [];

    public async ValueTask<bool> SetSubscriberAsync(Guid subscriberId, int clientCount, CancellationToken cancellationToken = default)
    {
        await _reports.Writer.WriteAsync(clientCount, cancellationToken);
        return clientCount == 0 && EphemeralUnused;
    }

    public ValueTask SetPausedAsync(bool paused, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public ValueTask EmptyAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public ValueTask<ChannelStats> GetStatsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

/// <summary>A pull waiting in the <see cref="ScriptedChannel"/>.</summary>
internal sealed class PendingPull(PullRequest request)
{
    public PullRequest Request { get; } = request;

    public TaskCompletionSource<DeliveryBatch> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The lease token of <see cref="Lease"/>'s messages unless a test names another.</summary>
    public const int Token = 77;

    /// <summary>Leases <paramref name="ids"/> until <paramref name="deadlineUnixMs"/>, under <see cref="Token"/>.</summary>
    public void Lease(long deadlineUnixMs, params long[] ids) => LeaseWithToken(deadlineUnixMs, Token, ids);

    /// <summary>Leases <paramref name="ids"/> until <paramref name="deadlineUnixMs"/> under <paramref name="token"/> (a
    /// later delivery of an id has another).</summary>
    public void LeaseWithToken(long deadlineUnixMs, int token, params long[] ids) =>
        Answer.SetResult(new DeliveryBatch([.. ids.Select(id => new DeliveredMessage(id, 0, 1, new byte[] { (byte)id }, token))], deadlineUnixMs));
}
