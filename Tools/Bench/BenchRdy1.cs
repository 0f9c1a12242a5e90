using System.Buffers;
using System.Diagnostics;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// One consumer at RDY 1 (go-nsq's default max_in_flight) that FINs each message as it arrives. The channel is first
/// filled with --messages by MPUB (not timed), so the server never waits for a publisher: each message's arrival
/// waits only on the previous FIN. Measures msgs/s and the gap from sending a FIN (just before its write) to the next message's arrival.
/// </summary>
internal static class BenchRdy1
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public static async Task<LatencyResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Messages <= 0) throw new ArgumentException("rdy1 needs --messages > 0 to fill the channel with");
        // SUB first (RDY 0 delivers nothing): the channel exists, so the fill reaches it.
        var consumer = await BenchConnection.SubscribeAsync(settings.NsqdTcpAddress, settings.Connection, settings.Topic, settings.Channel, cancellationToken);
        await BenchWriter.RunAsync(settings with { RunFor = Timeout.InfiniteTimeSpan }, cancellationToken);

        var gap = new LatencyHistogram();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunFor);
        var fin = new ArrayBufferWriter<byte>(64);
        long received = 0, finSent = 0;
        var clock = Stopwatch.StartNew();
        CommandWriter.WriteRdy(fin, 1);
        await consumer.SendAsync(fin.WrittenMemory, cancellationToken);
        try
        {
            while (received < settings.Messages)
            {
                FrameType type;
                int start, length;
                while (!consumer.TryTakeFrame(out type, out start, out length)) await consumer.FillAsync(deadline.Token);
                var arrived = Stopwatch.GetTimestamp();
                if (type == FrameType.Error) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(consumer.Data(start, length)));
                if (type != FrameType.Message) continue;
                if (received > 0) gap.Record((long)Stopwatch.GetElapsedTime(finSent, arrived).TotalNanoseconds);
                received++;
                fin.ResetWrittenCount();
                CommandWriter.WriteFin(fin, consumer.MessageId(start, length));
                // Stamped before the write: on loopback the write can wake the server on this core and let it answer
                // before the write returns, so a stamp taken after it would shrink the gap towards zero.
                finSent = Stopwatch.GetTimestamp();
                await consumer.SendAsync(fin.WrittenMemory, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
        var elapsed = clock.Elapsed;
        await consumer.ClsAsync(CloseTimeout);
        await consumer.DisposeAsync();
        return new LatencyResult("rdy1", "messages", received, elapsed, settings.Size, 1, "fin_to_next_message_us", gap);
    }
}
