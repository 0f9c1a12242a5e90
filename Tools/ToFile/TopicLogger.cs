using OrleansNsq.Client;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// One topic's consumer and file (NSQ's FileLogger router). Each message's line is written at once; the message is
/// FIN'd only after a sync has put its line on disk (fsync), so what nsqd forgets is always in the file, and what is
/// not yet synced is delivered again if this process dies (at least once). A sync runs every
/// <c>--sync-interval</c>, before a rotation, and when the unsynced messages fill most of the RDY nsqd gave
/// (go-nsq's IsStarved: 85 %), since nsqd sends no more until some are FIN'd.
/// </summary>
internal sealed class TopicLogger
{
    private const double StarvedFraction = 0.85;

    private readonly object _gate = new();
    private readonly ToFileSettings _settings;
    private readonly TopicFile _file;
    private readonly ToFileLog _log;
    private readonly string _label;
    private readonly Action _onFatal;
    private readonly NsqConsumer _consumer;
    private readonly CancellationTokenSource _stopTicks = new();
    private TaskCompletionSource _synced = NewBatch();
    private int _unsynced;
    private int _syncThreshold;
    private bool _stopping;
    private Exception? _failure;
    private Task _ticks = Task.CompletedTask;
    private long _written;

    private TopicLogger(string topic, ToFileSettings settings, FileNameFormat format, ToFileLog log, TimeProvider time, Action onFatal)
    {
        Topic = topic;
        _settings = settings;
        _log = log;
        _label = $"{topic}/{settings.Channel}";
        _onFatal = onFatal;
        _file = new TopicFile(settings, format, _label, log, time);
        _syncThreshold = Threshold(settings.MaxInFlight, 1);
        _consumer = new NsqConsumer(settings.Connection.ApplyTo(new NsqConsumerOptions
        {
            Topic = topic,
            Channel = settings.Channel,
            MaxInFlight = settings.MaxInFlight,
            // 0 (no limit) unless --consumer-opt=max_attempts,N, unlike go-nsq's 5: a message finished unwritten after five
            // crashes would be a lost line.
            MaxAttempts = 0,
            NsqdTcpAddresses = settings.NsqdTcpAddresses.ToList(),
            LookupdHttpAddresses = settings.LookupdHttpAddresses.ToList(),
            UserAgent = "nsq_to_file/1.3.0 orleansnsq-client/1.0",
        }), HandleAsync);
    }

    public string Topic { get; }

    /// <summary>Subscribes (direct nsqds must accept; lookupd is asked once) and starts the sync ticks.</summary>
    public static async Task<TopicLogger> StartAsync(string topic, ToFileSettings settings, FileNameFormat format, ToFileLog log,
        TimeProvider time, Action onFatal, CancellationToken cancellationToken)
    {
        var logger = new TopicLogger(topic, settings, format, log, time, onFatal);
        try
        {
            await logger._consumer.StartAsync(cancellationToken);
        }
        catch
        {
            await logger._consumer.DisposeAsync();
            throw;
        }

        logger._ticks = Task.Run(() => logger.TickAsync(logger._stopTicks.Token), CancellationToken.None);
        return logger;
    }

    private Task HandleAsync(NsqMessage message, CancellationToken cancellationToken)
    {
        Task synced;
        lock (_gate)
        {
            if (_failure is not null) throw new IOException($"[{_label}] the file failed: {_failure.Message}", _failure);
            try
            {
                if (_file.NeedsRotation()) RotateLocked();
                _file.WriteLine(message.Body.Span);
                _written++;
                _unsynced++;
                synced = _synced.Task;
                if (_stopping || _unsynced >= _syncThreshold) SyncLocked();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FailLocked(e);
                throw;
            }
        }

        // returning completes the handler, and the consumer FINs; failing REQs
        return synced.IsCompleted ? synced : synced.WaitAsync(cancellationToken);
    }

    private async Task TickAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_settings.SyncInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                lock (_gate)
                {
                    if (_failure is not null) return;
                    try
                    {
                        if (_file.NeedsRotation())
                        {
                            // with --skip-empty-files the next message opens the next file; otherwise it opens now
                            if (_settings.SkipEmptyFiles) CloseLocked();
                            else RotateLocked();
                        }

                        _syncThreshold = Threshold(_settings.MaxInFlight, _consumer.ConnectedNsqds.Count);
                        SyncLocked();
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        FailLocked(e);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>SIGHUP: close the file now (moved to the output dir); the next message opens a new one.</summary>
    public void Reopen()
    {
        lock (_gate)
        {
            if (_failure is not null) return;
            try
            {
                CloseLocked();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FailLocked(e);
            }
        }
    }

    /// <summary>
    /// Ctrl-C: from now every line is synced as it is written; CLS, the consumer FINs what is synced, then the file
    /// is closed and moved. Messages still unanswered when <paramref name="cancellationToken"/> fires are not FIN'd.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopTicks.CancelAsync();
        await _ticks;
        lock (_gate)
        {
            _stopping = true;
            if (_failure is null) SyncOrFailLocked();
        }

        await _consumer.StopAsync(cancellationToken);
        await _consumer.DisposeAsync();
        lock (_gate)
        {
            if (_failure is not null) return;
            try
            {
                CloseLocked();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FailLocked(e);
                return;
            }

            _log.Info($"[{_label}] stopped: {_written} messages written");
        }
    }

    private void RotateLocked()
    {
        CloseLocked();
        _file.Open();
    }

    /// <summary>Closing fsyncs the file, so what it holds can be FIN'd.</summary>
    private void CloseLocked()
    {
        SyncLocked();
        _file.Close();
    }

    private void SyncLocked()
    {
        if (_unsynced == 0) return;
        _log.Info($"[{_label}] syncing {_unsynced} records to disk");
        _file.Sync();
        _unsynced = 0;
        var synced = _synced;
        _synced = NewBatch();
        synced.SetResult();
    }

    private void SyncOrFailLocked()
    {
        try
        {
            SyncLocked();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FailLocked(e);
        }
    }

    /// <summary>
    /// NSQ exits on a failed write or fsync. Here the unsynced messages are REQ'd (their lines may or may not be in
    /// the file: at least once), later ones too, and the command stops and exits 1.
    /// </summary>
    private void FailLocked(Exception error)
    {
        _failure = error;
        _log.Fatal($"[{_label}] writing to {_file.Path ?? "the file"} failed: {error.Message}");
        _synced.TrySetException(error);
        _onFatal();
    }

    private static int Threshold(int maxInFlight, int connections) =>
        Math.Max(1, (int)(StarvedFraction * Math.Max(1, maxInFlight / Math.Max(1, connections))));

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
