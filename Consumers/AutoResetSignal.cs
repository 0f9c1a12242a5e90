namespace OrleansNsq.Consumers;

/// <summary>
/// An auto-reset signal awaited by one waiter: the pump waits on it for credit (RDY, FIN, REQ, a timeout or a new
/// holder sets it), a <see cref="ChannelConsumer"/>'s reader for queued messages. Setting it many times before the
/// wait costs nothing more than once.
/// </summary>
internal sealed class AutoResetSignal
{
    private readonly object _sync = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_sync)
        {
            waiter = _waiter;
            _waiter = null;
            if (waiter is null) _set = true;
        }
        waiter?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
