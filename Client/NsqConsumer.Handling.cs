using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansNsq.Client.Diagnostics;
using OrleansNsq.Client.Internal;

namespace OrleansNsq.Client;

/// <summary>One message's life in the consumer: the attempts limit, the handler, auto-TOUCH while it runs, FIN or REQ
/// (or parking in the dead-letter topic) after it.</summary>
public sealed partial class NsqConsumer
{
    /// <summary>The TOUCH interval's share of msg_timeout: half leaves the other half for a TOUCH delayed by a busy
    /// connection or thread pool.</summary>
    private const double AutoTouchShare = 0.5;

    /// <summary>nsqd's default --msg-timeout, used when neither the IDENTIFY answer nor the options give one.</summary>
    private static readonly TimeSpan NsqdDefaultMsgTimeout = TimeSpan.FromSeconds(60);

    /// <summary>One producer per nsqd a parked message came from, dialled on first use, closed by stop.</summary>
    private readonly ConcurrentDictionary<string, NsqProducer> _deadLetterProducers = new(StringComparer.Ordinal);
    private long _deadLettered;

    /// <summary>Messages parked in <see cref="NsqConsumerOptions.DeadLetterTopic"/> (and finished).</summary>
    public long MessagesDeadLettered => Interlocked.Read(ref _deadLettered);

    private void OnMessage(ConsumerConnection connection, byte[] frame)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref connection.InFlight);
        connection.LastMessageTicks = NowMs;
        Interlocked.Increment(ref _handlersRunning);
        var message = new NsqMessage(frame, connection.Address, connection, _options.TraceContextEnvelope);
        ClientTelemetry.CountConsumed(_options.Topic, _options.Channel);
        _ = Task.Run(() => HandleAsync(connection, message), CancellationToken.None);
    }

    private async Task HandleAsync(ConsumerConnection connection, NsqMessage message)
    {
        try
        {
            if (_options.MaxAttempts > 0 && message.Attempts > _options.MaxAttempts)
            {
                await GiveUpAsync(message).ConfigureAwait(false);
                return;
            }

            // Whatever the handler throws is its failure, NsqConnectionException included (its own producer may
            // have lost nsqd): only the FIN/REQ below can fail because of this consumer's connection.
            Exception? failure = null;
            var activity = _stream is null ? ClientTelemetry.StartProcess(_options.Topic, _options.Channel, message) : null;
            var started = Stopwatch.GetTimestamp();
            using var touching = _options.AutoTouch ? new CancellationTokenSource() : null;
            var toucher = touching is null ? Task.CompletedTask : TouchWhileHandlingAsync(message, AutoTouchInterval(connection), touching.Token);
            try
            {
                await _handler(message, _handlerCancel.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
                ClientLog.HandlerFailed(_logger, e, message.Id, _options.Topic, _options.Channel, message.Attempts);
            }
            finally
            {
                if (touching is not null)
                {
                    await touching.CancelAsync().ConfigureAwait(false);
                    await toucher.ConfigureAwait(false);
                }
            }

            try
            {
                if (!message.IsAutoResponseDisabled)
                {
                    await (failure is null ? message.FinishAsync() : message.RequeueAsync()).ConfigureAwait(false);
                }
            }
            finally
            {
                ClientTelemetry.EndProcess(activity, _options.Topic, _options.Channel, started, failure);
            }
        }
        catch (Exception e)
        {
            // FIN/REQ failed; on a lost connection nsqd times the message out and delivers it again
            ClientLog.AnswerFailed(_logger, message.Id, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _handlersRunning);
            PulseWhileStopping();
        }
    }

    /// <summary>A delivery past MaxAttempts (go-nsq: logged, reported, finished unhandled). With a dead-letter topic it
    /// is only here because parking it failed before: it is parked now, or requeued once more if that fails again.</summary>
    private async Task GiveUpAsync(NsqMessage message)
    {
        if (_options.DeadLetterTopic is not null)
        {
            await message.RequeueAsync().ConfigureAwait(false);
            return;
        }

        ClientLog.MaxAttemptsExceeded(_logger, message.Id, _options.Topic, _options.Channel, message.Attempts, _options.MaxAttempts);
        if (_options.MaxAttemptsExceeded is { } giveUp)
        {
            try
            {
                await giveUp(message).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ClientLog.HandlerFailed(_logger, e, message.Id, _options.Topic, _options.Channel, message.Attempts);
            }
        }

        await message.FinishAsync().ConfigureAwait(false);
    }

    private TimeSpan AutoTouchInterval(ConsumerConnection connection) =>
        (connection.Connection?.MsgTimeout ?? _options.MsgTimeout ?? NsqdDefaultMsgTimeout) * AutoTouchShare;

    private async Task TouchWhileHandlingAsync(NsqMessage message, TimeSpan interval, CancellationToken handled)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _time, handled).ConfigureAwait(false);
                await message.TouchAsync(handled).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (handled.IsCancellationRequested)
        {
        }
        catch (NsqConnectionException e)
        {
            ClientLog.AnswerFailed(_logger, message.Id, e.Message); // the connection is gone: so is the message's lease
        }
    }

    /// <summary>True when a REQ of <paramref name="message"/> should park it instead: its last allowed attempt failed.</summary>
    private bool IsLastAttempt(NsqMessage message) =>
        _options.DeadLetterTopic is not null && _options.MaxAttempts > 0 && message.Attempts >= _options.MaxAttempts;

    /// <summary>Publishes the message's body to the dead-letter topic on the nsqd it came from; false if that failed.</summary>
    private async Task<bool> TryDeadLetterAsync(NsqMessage message, CancellationToken cancellationToken)
    {
        var producer = _deadLetterProducers.GetOrAdd(message.NsqdAddress, address => new NsqProducer(DeadLetterOptions(address), _logger));
        try
        {
            await producer.PublishAsync(_options.DeadLetterTopic!, message.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NsqConnectionException or NsqErrorException or ObjectDisposedException)
        {
            ClientLog.DeadLetterFailed(_logger, message.Id, _options.DeadLetterTopic!, message.NsqdAddress, e.Message);
            return false;
        }

        Interlocked.Increment(ref _deadLettered);
        ClientTelemetry.CountDeadLettered(_options.Topic, _options.Channel);
        ClientLog.DeadLettered(_logger, message.Id, _options.Topic, _options.Channel, message.Attempts, _options.DeadLetterTopic!);
        return true;
    }

    private NsqProducerOptions DeadLetterOptions(string nsqdAddress) => new()
    {
        NsqdTcpAddress = nsqdAddress,
        ConnectionCount = 1,
        ClientId = _options.ClientId,
        Hostname = _options.Hostname,
        UserAgent = _options.UserAgent,
        HeartbeatInterval = _options.HeartbeatInterval,
        DialTimeout = _options.DialTimeout,
        Tls = _options.Tls,
        Snappy = _options.Snappy,
        Deflate = _options.Deflate,
        DeflateLevel = _options.DeflateLevel,
        AuthSecret = _options.AuthSecret,
    };
}
