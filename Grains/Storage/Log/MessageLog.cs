using Microsoft.Extensions.Logging;

namespace OrleansNsq.Grains.Storage.Log;

/// <summary>
/// The node's one writer of the message log: grains hand it writes without waiting (<see cref="Append"/>), a single
/// loop commits everything queued since its last commit in one transaction (group commit: the batch size follows the
/// load by itself), and whoever needs durability waits for its ticket (<see cref="WhenDurableAsync"/>). Writes commit
/// in the order they were appended, so a channel's cursor never lands before the batches it covers.
/// A failed commit fails the tickets it carried (their publishes answer E_PUB_FAILED) and its writes are tried again,
/// first in the next commit, after a pause; while commits fail <see cref="IsFailing"/> is true and topics refuse new
/// publishes (E_PUB_FAILED), so nothing that got OK waits only in memory. The node recovers when the fault clears.
/// </summary>
public sealed partial class MessageLog : IAsyncDisposable
{
    // Failed groups remembered for late waiters; a waiter arrives within a grain call of its append.
    private const int FailuresKept = 64;

    /// <summary>Message bytes queued or being committed beyond which publishers wait (<see cref="WhenRoomAsync"/>):
    /// the log written behind must not hold an unbounded backlog in memory when publishers outrun the disk.</summary>
    public const long MaxPendingBytes = 16 << 20;

    private readonly IMessageLogStore _store;
    private readonly ILogger<MessageLog> _logger;
    private readonly Lock _lock = new();
    private readonly Queue<(long First, long Last, Exception Error)> _failures = new();
    private List<LogWrite> _open = [];
    private TaskCompletionSource _openDone = NewGroup();
    private long _openFirst = 1;
    private long _lastTicket;
    private long _committedThrough;
    private (long First, long Last, Task Done) _committing;
    private Task? _loop;
    private long _openBytes;
    private long _committingBytes;
    private TaskCompletionSource? _room;
    private Exception? _failure;
    private TaskCompletionSource? _wake;
    private bool _stopping;
    // Every write through this ticket is in the store (failed ones included, once a retry carried them); flush waiters.
    private long _storedThrough;
    private TaskCompletionSource? _stored;
    private bool _gaveUp;

    private readonly TimeSpan _gatherDelay;

    /// <param name="gatherDelay">Written behind, how long the writer, woken from idle, waits for more writes before it
    /// commits (<see cref="WriteBehindGatherDelay"/>): a publisher sending one message at a time then shares commits
    /// instead of paying a transaction each. Under load the writer is never idle and never waits. Zero (durable mode,
    /// where publishes wait for the commit): commit at once.</param>
    /// <param name="time">The gather delay's clock (tests); null = the system clock.</param>
    public MessageLog(IMessageLogStore store, ILogger<MessageLog> logger, TimeSpan gatherDelay = default, TimeProvider? time = null)
    {
        _store = store;
        _logger = logger;
        _gatherDelay = gatherDelay;
        _time = time ?? TimeProvider.System;
    }

    private readonly TimeProvider _time;

    /// <summary>The writer waits for a write (tests).</summary>
    internal bool Idle
    {
        get
        {
            lock (_lock) return _wake is not null;
        }
    }

    /// <summary>The node's <c>gatherDelay</c> when written behind (--mem-queue-size above 0): 1 ms.</summary>
    public static readonly TimeSpan WriteBehindGatherDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>The store the log writes to; grains read from it when they activate.</summary>
    public IMessageLogStore Store => _store;

    /// <summary>The last commit failed and none has succeeded since: what it threw, else null.</summary>
    public Exception? Failure
    {
        get
        {
            lock (_lock) return _failure;
        }
    }

    /// <summary>Batches left out of commits because every channel had finished them first.</summary>
    public long SparedBatches { get; private set; }

    /// <summary>Queues a write for the next commit and returns its ticket (see <see cref="WhenDurableAsync"/>).</summary>
    public long Append(LogWrite write)
    {
        TaskCompletionSource? wake;
        long ticket;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping && _loop is null, this);
            _open.Add(write);
            if (write is LogWrite.AppendBatch append) _openBytes += append.Data.Length;
            ticket = ++_lastTicket;
            _loop ??= Task.Run(RunAsync);
            wake = _wake;
            _wake = null;
        }
        wake?.TrySetResult();
        return ticket;
    }

    /// <summary>Completes at once while the log keeps up; while more than <see cref="MaxPendingBytes"/> of messages wait
    /// for the disk, completes when a commit has made room (a publisher waits here rather than fill the memory).</summary>
    public Task WhenRoomAsync()
    {
        lock (_lock)
        {
            if (_openBytes + _committingBytes <= MaxPendingBytes) return Task.CompletedTask;
            _room ??= NewGroup();
            return _room.Task;
        }
    }

    /// <summary>Queues a write and completes once it is committed and on disk; throws what the commit threw.</summary>
    public Task WriteAsync(LogWrite write) => WhenDurableAsync(Append(write));

    /// <summary>Completes when everything appended so far is in the store: a read of the store afterwards sees every
    /// batch handed out before the call. A failed commit's writes are tried again, so this waits through failures until
    /// a commit carrying them succeeds (a read before that would take stored messages for gone ones).</summary>
    public async Task FlushAsync()
    {
        long target;
        lock (_lock) target = _lastTicket;
        while (true)
        {
            Task next;
            lock (_lock)
            {
                if (_storedThrough >= target || _gaveUp) return;
                _stored ??= NewGroup();
                next = _stored.Task;
            }
            await next.ConfigureAwait(false);
        }
    }

    /// <summary>Completes when the commit carrying <paramref name="ticket"/> is on disk; faults when it failed.</summary>
    public Task WhenDurableAsync(long ticket)
    {
        lock (_lock)
        {
            foreach (var failure in _failures)
                if (ticket >= failure.First && ticket <= failure.Last) return Task.FromException(failure.Error);
            if (ticket <= _committedThrough) return Task.CompletedTask;
            if (ticket >= _committing.First && ticket <= _committing.Last) return _committing.Done;
            if (ticket >= _openFirst && ticket <= _lastTicket) return _openDone.Task;
            throw new ArgumentOutOfRangeException(nameof(ticket), ticket, "no write of this log has that ticket");
        }
    }

    /// <summary>Commits what is queued and stops the loop (silo stop, after the grains have written their last cursors).</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _stopping = true;
            loop = _loop;
            wake = _wake;
            _wake = null;
        }
        wake?.TrySetResult();
        if (loop is not null) await loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            List<LogWrite> writes;
            TaskCompletionSource done;
            long first, last;
            Task wait;
            lock (_lock)
            {
                if (_open.Count == 0)
                {
                    if (_stopping)
                    {
                        _loop = null;
                        return;
                    }
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _wake.Task;
                    writes = null!;
                    done = null!;
                    first = last = 0;
                }
                else
                {
                    wait = Task.CompletedTask;
                    // Batches every channel has finished while they waited are left out: nothing would read them.
                    var spared = _open.RemoveAll(static w => w is LogWrite.AppendBatch { Countdown.IsSettled: true });
                    if (spared > 0)
                    {
                        SparedBatches += spared;
                        _openBytes = 0;
                        foreach (var write in _open)
                            if (write is LogWrite.AppendBatch append) _openBytes += append.Data.Length;
                    }
                    writes = _open;
                    done = _openDone;
                    first = _openFirst;
                    last = _lastTicket;
                    _open = new List<LogWrite>(writes.Count);
                    _committingBytes = _openBytes;
                    _openBytes = 0;
                    _openDone = NewGroup();
                    _openFirst = last + 1;
                    _committing = (first, last, done.Task);
                }
            }
            if (writes is null)
            {
                await wait.ConfigureAwait(false);
                // Woken from idle by a write: let the writes that follow it join its commit.
                if (_gatherDelay > TimeSpan.Zero && !Volatile.Read(ref _stopping)) await Task.Delay(_gatherDelay, _time).ConfigureAwait(false);
                continue;
            }
            try
            {
                await CommitAsync(writes).ConfigureAwait(false);
                TaskCompletionSource? stored;
                lock (_lock)
                {
                    _committedThrough = last;
                    // Writes of failed commits went first into this one: everything through its last ticket is stored.
                    _storedThrough = last;
                    stored = _stored;
                    _stored = null;
                    if (_failure is not null) LogRecovered(_logger);
                    _failure = null;
                    _failedAttempts = 0;
                }
                done.TrySetResult();
                stored?.TrySetResult();
            }
            catch (Exception ex)
            {
                LogCommitFailed(_logger, writes.Count, ex);
                bool retry;
                lock (_lock)
                {
                    _failures.Enqueue((first, last, ex));
                    if (_failures.Count > FailuresKept) _failures.Dequeue();
                    // Later tickets are judged on their own commit; these stay failed.
                    _committedThrough = last;
                    _failure = ex;
                    _failedAttempts++;
                    // The writes go first into the next commit: a batch whose publish failed may still land (the
                    // client's retry is then a duplicate, as NSQ allows), a batch written behind is not lost. At
                    // shutdown the loop gives up after a few attempts rather than hold the silo's stop forever.
                    retry = !_stopping || _failedAttempts < 3;
                    if (retry)
                    {
                        writes.AddRange(_open);
                        _open = writes;
                        _openBytes = 0;
                        foreach (var write in writes)
                            if (write is LogWrite.AppendBatch append) _openBytes += append.Data.Length;
                    }
                }
                done.TrySetException(ex);
                // Write-behind appends have no waiter: observe the fault so it is not reported again as unobserved.
                _ = done.Task.Exception;
                if (!retry)
                {
                    LogGaveUp(_logger, writes.Count);
                    TaskCompletionSource? stored;
                    lock (_lock)
                    {
                        _gaveUp = true;
                        stored = _stored;
                        _stored = null;
                    }
                    stored?.TrySetResult();
                }
                await Task.Delay(RetryDelay, _time).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<LogWrite> writes)
    {
        try
        {
            // After a failure (a full disk) the cursors and deletes go first, on their own: they are what frees space,
            // and must not fail with the appends that cannot fit yet. A cursor landing before the batches it covers is
            // harmless: those batches are collected by the topic's next cursor write once they land.
            if (Failure is not null && writes.Exists(static w => w is LogWrite.AppendBatch) && writes.Exists(static w => w is not LogWrite.AppendBatch))
            {
                await _store.CommitAsync(writes.FindAll(static w => w is not LogWrite.AppendBatch)).ConfigureAwait(false);
                writes.RemoveAll(static w => w is not LogWrite.AppendBatch);
            }
            await _store.CommitAsync(writes).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource? room = null;
            lock (_lock)
            {
                _committingBytes = 0;
                if (_room is not null && _openBytes <= MaxPendingBytes)
                {
                    room = _room;
                    _room = null;
                }
            }
            room?.TrySetResult();
        }
    }

    /// <summary>Pause before a failed commit's writes are tried again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private int _failedAttempts;

    private static TaskCompletionSource NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(3201, LogLevel.Error, "message log: a commit of {Count} writes failed; publishes answer E_PUB_FAILED until a commit succeeds, the writes are tried again")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(3202, LogLevel.Warning, "message log: commits succeed again")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(3203, LogLevel.Error, "message log: stopping with {Count} writes that could not be committed")]
    private static partial void LogGaveUp(ILogger logger, int count);
}
