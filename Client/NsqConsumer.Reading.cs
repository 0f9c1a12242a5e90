using System.Runtime.CompilerServices;

namespace OrleansNsq.Client;

/// <summary>The consumer read as a stream: the same engine (RDY, backoff, attempts, reconnects), with a handler that
/// hands each message to <see cref="ReadAllAsync"/> instead of working on it.</summary>
public sealed partial class NsqConsumer
{
    /// <summary>
    /// The messages as they arrive, for a consumer made without a handler. The reader answers each one: <see
    /// cref="NsqMessage.FinishAsync"/>, <see cref="NsqMessage.RequeueAsync"/> (a failure: backoff, and on the last
    /// attempt the dead-letter topic) or, for long work, <see cref="NsqMessage.TouchAsync"/> first. RDY is the
    /// backpressure: nsqd sends no more while MaxInFlight messages are unanswered, so a slow reader slows delivery and
    /// nothing piles up here. Several readers may enumerate at once and share the messages. The enumeration ends when
    /// <paramref name="cancellationToken"/> fires or the consumer stops: <see cref="StopAsync"/> requeues the
    /// messages no reader took (REQ 0, no backoff) and waits for the ones taken to be answered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The consumer was made with a handler.</exception>
    public IAsyncEnumerable<NsqMessage> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var stream = _stream ?? throw new InvalidOperationException("this consumer runs a handler; make it without one to read its messages");
        return Read(stream.Reader, cancellationToken);

        static async IAsyncEnumerable<NsqMessage> Read(System.Threading.Channels.ChannelReader<NsqMessage> reader,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    yield return message;
                }
            }
        }
    }

    private Task PassToReaderAsync(NsqMessage message, CancellationToken cancellationToken)
    {
        message.DisableAutoResponse();
        Diagnostics.ClientTelemetry.Received(_options.Topic, _options.Channel, message);
        if (!_stream!.Writer.TryWrite(message))
        {
            // stopping already: nsqd sent it before our CLS took effect
            return message.RequeueAsync(TimeSpan.Zero, backoff: false, cancellationToken).AsTask();
        }

        return Task.CompletedTask;
    }

    /// <summary>At stop, after CLS: no more messages come, those nobody read go back to nsqd, and the stop waits for the
    /// readers to answer the ones they took.</summary>
    private async Task EndStreamAsync(CancellationToken cancellationToken)
    {
        _stream!.Writer.TryComplete();
        while (_stream.Reader.TryRead(out var unread))
        {
            try
            {
                await unread.RequeueAsync(TimeSpan.Zero, backoff: false, cancellationToken).ConfigureAwait(false);
            }
            catch (NsqConnectionException)
            {
                // the connection is gone: nsqd delivers it again after its msg timeout
            }
        }

        await WaitUntilAsync(() => MessagesInFlight == 0, cancellationToken).ConfigureAwait(false);
    }
}
