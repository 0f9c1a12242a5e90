using OrleansNsq.Client.Internal;
using OrleansNsq.Protocol;

namespace OrleansNsq.Client;

public sealed partial class NsqConsumer
{
    /// <summary>Per-nsqd state: the connection, the RDY last sent, messages in flight on it.</summary>
    private sealed class ConsumerConnection(NsqConsumer consumer, string address) : IFrameHandler, INsqMessageResponder
    {
        public string Address { get; } = address;

        public NsqConnection? Connection { get; set; }

        public int Rdy { get; private set; }

        public int InFlight;

        public long LastMessageTicks = consumer.NowMs;

        /// <summary>Sends RDY when it changes; called under the consumer's RDY lock, the write itself runs apart.</summary>
        public void SetRdy(int count)
        {
            if (count == Rdy || Connection is null)
            {
                return;
            }

            Rdy = count;
            _ = SendRdyAsync(count);
        }

        private async Task SendRdyAsync(int count)
        {
            try
            {
                await Connection!.WriteAsync(count, static (output, count) => CommandWriter.WriteRdy(output, count), CancellationToken.None).ConfigureAwait(false);
            }
            catch (NsqConnectionException)
            {
                // the close is handled by OnClosed
            }
        }

        public void OnMessage(NsqConnection connection, byte[] frame) => consumer.OnMessage(this, frame);

        public void OnError(NsqConnection connection, NsqErrorException error) =>
            ClientLog.ErrorFrame(consumer._logger, Address, error.Message);

        public void OnClosed(NsqConnection connection, Exception? error) => consumer.OnClosed(this, error);

        public async ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref InFlight);
            consumer.PulseWhileStopping();
            await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteFin(output, id.Span), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref consumer._finished);
            consumer.OnResult(success: true);
        }

        public async ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref InFlight);
            consumer.PulseWhileStopping();
            if (backoff && consumer.IsLastAttempt(message) && await consumer.TryDeadLetterAsync(message, cancellationToken).ConfigureAwait(false))
            {
                await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteFin(output, id.Span), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var ms = (long)(delay ?? consumer.RequeueDelay(message.Attempts)).TotalMilliseconds;
                await Connection!.WriteAsync((id: message.IdBytes, ms), static (output, s) => CommandWriter.WriteReq(output, s.id.Span, s.ms), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref consumer._requeued);
                Diagnostics.ClientTelemetry.CountRequeued(consumer._options.Topic, consumer._options.Channel);
            }

            if (backoff)
            {
                consumer.OnResult(success: false);
            }
        }

        public async ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken) =>
            await Connection!.WriteAsync(message.IdBytes, static (output, id) => CommandWriter.WriteTouch(output, id.Span), cancellationToken).ConfigureAwait(false);
    }
}
