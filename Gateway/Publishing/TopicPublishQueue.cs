using Orleans.Concurrency;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Publishing;

/// <summary>
/// Single publishes to one topic from many requests at once (HTTP <c>/pub</c> from a pool of keep-alive
/// connections) share batches: while one grain call is out, the bodies that arrive join the next batch, so the topic
/// takes one call per round trip instead of one per request, as a connection's run of PUBs does. A lone request is
/// sent at once, so nothing waits for company. Every request completes with its batch's outcome (OK, or the error
/// that refused the batch, or <see cref="ClusterTimeoutException"/> past the bound).
/// </summary>
internal sealed class TopicPublishQueue(ITopicGrain topic, TimeSpan bound, TimeProvider time)
{
    /// <summary>A batch is closed here so it stays off the large-object heap (85 KB).</summary>
    public const int MaxBatchBytes = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<OpenBatch> _waiting = new();
    // The newest waiting batch, still taking bodies; null once taken for sending.
    private OpenBatch? _open;
    private bool _sending;

    /// <summary>Copies <paramref name="body"/> into the next batch and completes when that batch is published.</summary>
    public Task PublishAsync(ReadOnlySpan<byte> body, int deferMs)
    {
        Task done;
        bool start;
        lock (_lock)
        {
            if (_open is null || !_open.TryAdd(body, deferMs))
            {
                _open = new OpenBatch(deferMs, Math.Max(body.Length, 1024));
                _open.TryAdd(body, deferMs);
                _waiting.Enqueue(_open);
            }
            done = _open.Done.Task;
            start = !_sending;
            _sending = true;
        }
        if (start) _ = SendAsync();
        return done;
    }

    private async Task SendAsync()
    {
        while (true)
        {
            OpenBatch batch;
            lock (_lock)
            {
                if (!_waiting.TryDequeue(out batch!))
                {
                    _sending = false;
                    return;
                }
                if (ReferenceEquals(batch, _open)) _open = null;
            }
            try
            {
                await ClusterCall.WithinAsync((topic, new Immutable<PublishBatch>(batch.Close())),
                    static (call, token) => call.Item1.PublishAsync(call.Item2, token), bound, time);
                batch.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                batch.Done.TrySetException(ex);
            }
        }
    }

    /// <summary>Bodies collected for one call; closed (no more bodies) once taken for sending.</summary>
    private sealed class OpenBatch(int deferMs, int capacity)
    {
        private byte[] _data = new byte[Math.Min(capacity, MaxBatchBytes)];
        private readonly List<int> _ends = [];
        private int _length;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryAdd(ReadOnlySpan<byte> body, int defer)
        {
            if (defer != deferMs) return false;
            if (_ends.Count > 0 && _length + body.Length > MaxBatchBytes) return false;
            if (_length + body.Length > _data.Length)
                Array.Resize(ref _data, Math.Max(_length + body.Length, Math.Min(_data.Length * 2, MaxBatchBytes)));
            body.CopyTo(_data.AsSpan(_length));
            _length += body.Length;
            _ends.Add(_length);
            return true;
        }

        // The batch owns the buffer from here on: a closed batch is never written again.
        public PublishBatch Close() => PublishBatch.TakeOwnership(_data, [.. _ends], deferMs);
    }
}
