using System.Buffers;
using System.Diagnostics;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Bench;

/// <summary>bench_reader: each connection SUBs with RDY, FINs every message (all FINs of one read in one write).</summary>
internal static class BenchReader
{
    private const int FinSize = 21; // "FIN " + 16-byte id + "\n"
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public static async Task<BenchResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        await RunAsync(await SubscribeAsync(settings, cancellationToken), settings, cancellationToken);

    /// <summary>--concurrency connections subscribed to the topic/channel with RDY 0 (the SUB creates the channel).</summary>
    public static async Task<BenchConnection[]> SubscribeAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var connections = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < connections.Length; i++)
            connections[i] = await BenchConnection.SubscribeAsync(settings.NsqdTcpAddress, settings.Topic, settings.Channel, cancellationToken);
        return connections;
    }

    /// <summary>Sends RDY on <paramref name="connections"/> and FINs until --runfor or --messages, then closes them.</summary>
    public static async Task<BenchResult> RunAsync(BenchConnection[] connections, BenchSettings settings, CancellationToken cancellationToken)
    {
        long total = 0;
        var budget = settings.Budget;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.RunFor);
        var clock = Stopwatch.StartNew();
        var finished = TimeSpan.Zero;
        await Task.WhenAll(connections.Select(async connection =>
        {
            // One read (at most 1 MiB) holds at most 1 MiB / 34 B (the smallest message frame) messages, whose FINs
            // (21 B each) fit in 1 MiB: the FINs of one read fit without growing this buffer.
            var fins = new ArrayBufferWriter<byte>(1 << 20);
            var reqs = new ArrayBufferWriter<byte>(1 << 16);
            CommandWriter.WriteRdy(fins, settings.Rdy);
            await connection.Stream.WriteAsync(fins.WrittenMemory, cancellationToken);
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await connection.FillAsync(stop.Token);
                    fins.ResetWrittenCount();
                    reqs.ResetWrittenCount();
                    long received = 0;
                    while (connection.TryTakeFrame(out var type, out var start, out var length))
                    {
                        if (type == FrameType.Error) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(connection.Data(start, length)));
                        if (type != FrameType.Message) continue;
                        CommandWriter.WriteFin(fins, connection.MessageId(start, length));
                        received++;
                    }
                    var more = Claim(ref total, ref received, budget, fins, reqs, out var finBytes);
                    if (finBytes > 0) await connection.Stream.WriteAsync(fins.WrittenMemory[..finBytes], cancellationToken);
                    if (reqs.WrittenCount > 0) await connection.Stream.WriteAsync(reqs.WrittenMemory, cancellationToken);
                    if (!more)
                    {
                        finished = clock.Elapsed;
                        await stop.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }));
        var elapsed = finished > TimeSpan.Zero ? finished : clock.Elapsed;
        await Task.WhenAll(connections.Select(c => c.ClsAsync(CloseTimeout)));
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("read", total, elapsed, settings.Size);
    }

    /// <summary>
    /// Counts <paramref name="received"/> messages against the budget. Those past it are not FIN'd but given back with
    /// <c>REQ &lt;id&gt; 0</c> into <paramref name="reqs"/> (their FINs are the last ones in <paramref name="fins"/>, each
    /// of one size), so --messages N finishes exactly N and leaves the rest in the channel. <paramref name="finBytes"/>:
    /// how much of <paramref name="fins"/> to send. False once the budget is used.
    /// </summary>
    private static bool Claim(ref long total, ref long received, long budget, ArrayBufferWriter<byte> fins, ArrayBufferWriter<byte> reqs, out int finBytes)
    {
        finBytes = fins.WrittenCount;
        var after = Interlocked.Add(ref total, received);
        var excess = Math.Min(received, after - budget);
        received = 0;
        if (excess < 0) return true;
        Interlocked.Add(ref total, -excess);
        for (var i = 0; i < excess; i++)
        {
            finBytes -= FinSize;
            CommandWriter.WriteReq(reqs, fins.WrittenSpan.Slice(finBytes + 4, MessageId.Length), 0);
        }
        return false;
    }
}
