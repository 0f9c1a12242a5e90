using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// Publishers and consumers at once: --concurrency connections MPUB (PUB when --batch-size is 1) at --rate msgs/s in
/// total, and as many SUB with RDY and FIN every message. Each body starts with its send time (Stopwatch ticks,
/// stamped just before the write) and this run's id, so a consumer measures publish → delivery latency per message
/// and ignores messages left in the channel by earlier runs. Only the wire protocol is used.
/// </summary>
internal static class BenchPubSub
{
    /// <summary>[i64 send timestamp][i64 run id] at the start of every body.</summary>
    public const int HeaderSize = 16;
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>How long consumers keep draining after the publishers stop, for messages still on their way.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    public static async Task<PubSubResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Size < HeaderSize) throw new ArgumentException($"--size must be at least {HeaderSize} for pubsub (send time and run id)");
        var runId = Random.Shared.NextInt64();
        var consumers = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < consumers.Length; i++)
        {
            consumers[i] = await BenchConnection.SubscribeAsync(settings.NsqdTcpAddress, settings.Connection, settings.Topic, settings.Channel, cancellationToken);
        }
        var publishers = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < publishers.Length; i++)
            publishers[i] = await BenchConnection.ConnectAsync(settings.NsqdTcpAddress, settings.Connection, cancellationToken);

        var state = new RunState(settings.Budget);
        using var consumeStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var histograms = consumers.Select(_ => new LatencyHistogram()).ToArray();
        var clock = Stopwatch.StartNew();
        var consuming = Task.WhenAll(consumers.Select((c, i) => ConsumeAsync(c, settings, runId, histograms[i], state, clock, consumeStop)));
        using (var publishStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            publishStop.CancelAfter(settings.RunFor);
            var perPublisherRate = settings.Rate / (double)publishers.Length;
            await Task.WhenAll(publishers.Select(p => PublishAsync(p, settings, runId, perPublisherRate, state, publishStop.Token, cancellationToken)));
        }
        var publishElapsed = clock.Elapsed;
        state.PublishingDone = true;
        if (Interlocked.Read(ref state.Consumed) >= Interlocked.Read(ref state.Published)) await consumeStop.CancelAsync();
        consumeStop.CancelAfter(DrainTimeout);
        await consuming;

        await Task.WhenAll(consumers.Select(c => c.ClsAsync(DrainTimeout)));
        foreach (var connection in publishers.Concat(consumers)) await connection.DisposeAsync();
        var latency = new LatencyHistogram();
        foreach (var histogram in histograms) latency.Add(histogram);
        var consumeElapsed = TimeSpan.FromTicks(Math.Max(1, Interlocked.Read(ref state.LastConsumedTicks)));
        return new PubSubResult(settings, state.Published, publishElapsed, state.Consumed, consumeElapsed, state.Foreign, latency);
    }

    private static async Task PublishAsync(BenchConnection connection, BenchSettings settings, long runId, double rate,
        RunState state, CancellationToken stop, CancellationToken cancellationToken)
    {
        var frame = settings.BatchSize == 1 ? BenchWriter.BuildPub(settings.Topic, settings.Size) : BenchWriter.BuildMpub(settings.Topic, settings.Size, settings.BatchSize);
        var bodyOffsets = BodyOffsets(frame, settings);
        var pace = Stopwatch.StartNew();
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            var end = Interlocked.Add(ref state.Claimed, settings.BatchSize);
            var count = (int)Math.Min(settings.BatchSize, state.Budget - (end - settings.BatchSize));
            if (count <= 0) break;
            if (count < settings.BatchSize)
            {
                frame = count == 1 ? BenchWriter.BuildPub(settings.Topic, settings.Size) : BenchWriter.BuildMpub(settings.Topic, settings.Size, count);
                bodyOffsets = BodyOffsets(frame, settings with { BatchSize = count });
            }
            if (rate > 0)
            {
                // Batch k is due when its first message is due: k × batch / rate after the start. A publisher that
                // fell behind sends at once (no sleep) until it has caught up.
                var due = TimeSpan.FromSeconds(sent / rate) - pace.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    try
                    {
                        await Task.Delay(due, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Add(ref state.Claimed, -count);
                        break;
                    }
                }
            }
            var now = Stopwatch.GetTimestamp();
            foreach (var offset in bodyOffsets)
            {
                BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(offset), now);
                BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(offset + 8), runId);
            }
            await connection.SendAsync(frame, cancellationToken);
            await connection.ExpectOkAsync(cancellationToken);
            sent += count;
            Interlocked.Add(ref state.Published, count);
        }
    }

    private static async Task ConsumeAsync(BenchConnection connection, BenchSettings settings, long runId,
        LatencyHistogram histogram, RunState state, Stopwatch clock, CancellationTokenSource stop)
    {
        var fins = new ArrayBufferWriter<byte>(1 << 20);
        CommandWriter.WriteRdy(fins, settings.Rdy);
        await connection.SendAsync(fins.WrittenMemory, stop.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.FillAsync(stop.Token);
                var now = Stopwatch.GetTimestamp();
                fins.ResetWrittenCount();
                long ours = 0, foreign = 0;
                while (connection.TryTakeFrame(out var type, out var start, out var length))
                {
                    if (type == FrameType.Error) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(connection.Data(start, length)));
                    if (type != FrameType.Message) continue;
                    var body = connection.MessageBody(start, length);
                    if (body.Length >= HeaderSize && BinaryPrimitives.ReadInt64LittleEndian(body[8..]) == runId)
                    {
                        histogram.Record((long)((now - BinaryPrimitives.ReadInt64LittleEndian(body)) * NanosecondsPerTick));
                        ours++;
                    }
                    else
                    {
                        foreign++;
                    }
                    CommandWriter.WriteFin(fins, connection.MessageId(start, length));
                }
                if (fins.WrittenCount > 0) await connection.SendAsync(fins.WrittenMemory, stop.Token);
                if (foreign > 0) Interlocked.Add(ref state.Foreign, foreign);
                if (ours == 0) continue;
                var consumed = Interlocked.Add(ref state.Consumed, ours);
                Interlocked.Exchange(ref state.LastConsumedTicks, clock.Elapsed.Ticks);
                if (consumed >= state.Budget || (state.PublishingDone && consumed >= Interlocked.Read(ref state.Published)))
                    await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Where each body starts in a PUB or MPUB frame, so a batch is restamped in place.</summary>
    private static int[] BodyOffsets(byte[] frame, BenchSettings settings)
    {
        var headerEnd = Array.IndexOf(frame, (byte)'\n') + 1;
        if (settings.BatchSize == 1) return [headerEnd + 4];
        var offsets = new int[settings.BatchSize];
        var at = headerEnd + 8; // [i32 body size][i32 count]
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = at + 4;
            at += 4 + settings.Size;
        }
        return offsets;
    }

    /// <summary>Counters shared by the publisher and consumer loops of one run.</summary>
    private sealed class RunState(long budget)
    {
        public readonly long Budget = budget;
        public long Claimed;
        public long Published;
        public long Consumed;
        public long Foreign;
        public long LastConsumedTicks;
        public volatile bool PublishingDone;
    }
}
