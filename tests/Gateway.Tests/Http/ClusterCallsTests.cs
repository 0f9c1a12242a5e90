using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Gateway.Http;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>The bound on an API request's calls into the cluster, and the fallback to this gateway's last copy, on
/// fake time.</summary>
public sealed class ClusterCallsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    /// <summary>Real time, only so a broken test fails instead of hanging.</summary>
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger _logger = new();

    [Fact]
    public async Task A_call_not_answered_ends_at_the_bound_with_its_token_cancelled()
    {
        using var calls = new ClusterCalls(Bound, _time);
        var never = new TaskCompletionSource<int>();
        var passed = CancellationToken.None;
        var call = calls.CallAsync(ct =>
        {
            passed = ct;
            return new ValueTask<int>(never.Task);
        });

        _time.Advance(Bound - TimeSpan.FromTicks(1));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromTicks(1));
        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TestTimeout));
        Assert.True(passed.IsCancellationRequested);
    }

    [Fact]
    public async Task The_calls_of_one_request_share_one_deadline()
    {
        using var calls = new ClusterCalls(Bound, _time);
        var first = new TaskCompletionSource<int>();
        var answered = calls.CallAsync(_ => new ValueTask<int>(first.Task));
        _time.Advance(Bound / 2);
        first.SetResult(1);
        Assert.Equal(1, await answered.WaitAsync(TestTimeout));

        var second = calls.CallAsync(_ => new ValueTask<int>(new TaskCompletionSource<int>().Task));
        _time.Advance(Bound / 2);
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TestTimeout));

        var made = false;
        await Assert.ThrowsAsync<TimeoutException>(() => calls.CallAsync(_ =>
        {
            made = true;
            return new ValueTask<int>(0);
        }));
        Assert.False(made);
    }

    [Fact]
    public async Task A_read_not_answered_is_the_last_copy_and_the_answer_is_marked_with_its_age()
    {
        var read = new CachedClusterRead<string[]>("the test read", [], _time, _logger);
        using (var first = new ClusterCalls(Bound, _time))
        {
            Assert.Equal(["a"], await read.ReadAsync(first, _ => new(["a"])));
            Assert.Null(first.Mark(ApiResult.Ok).StaleAge);
        }

        _time.Advance(TimeSpan.FromSeconds(7));
        using var calls = new ClusterCalls(Bound, _time);
        var answer = read.ReadAsync(calls, _ => new ValueTask<string[]>(new TaskCompletionSource<string[]>().Task)).AsTask();
        _time.Advance(Bound);

        Assert.Equal(["a"], await answer.WaitAsync(TestTimeout));
        Assert.Equal(TimeSpan.FromSeconds(12), calls.Mark(ApiResult.Ok).StaleAge);
    }

    [Fact]
    public async Task A_read_that_fails_without_a_copy_is_none_and_its_age_counts_from_the_start()
    {
        var read = new CachedClusterRead<string[]>("the test read", [], _time, _logger);
        _time.Advance(TimeSpan.FromSeconds(3));
        using var calls = new ClusterCalls(Bound, _time);

        Assert.Empty(await read.ReadAsync(calls, _ => throw new SiloUnavailableException()));
        Assert.Equal(TimeSpan.FromSeconds(3), calls.Mark(ApiResult.Ok).StaleAge);
    }

    [Fact]
    public async Task Reads_not_answered_log_once_per_episode()
    {
        var read = new CachedClusterRead<string[]>("the test read", [], _time, _logger);
        for (var i = 0; i < 3; i++)
        {
            using var failing = new ClusterCalls(Bound, _time);
            await read.ReadAsync(failing, _ => throw new TimeoutException());
        }
        using (var answering = new ClusterCalls(Bound, _time))
        {
            await read.ReadAsync(answering, _ => new(["a"]));
            await read.ReadAsync(answering, _ => new(["a"]));
        }
        using (var failing = new ClusterCalls(Bound, _time))
        {
            await read.ReadAsync(failing, _ => throw new TimeoutException());
        }

        // 4002 the cluster did not answer, 4003 it answers again
        Assert.Equal([4002, 4003, 4002], _logger.EventIds);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<int> EventIds { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            EventIds.Add(eventId.Id);
    }
}
