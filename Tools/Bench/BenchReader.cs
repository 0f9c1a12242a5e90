using System.Buffers;
using System.Diagnostics;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Bench;

/// <summary>bench_reader: one connection per CPU SUBs with RDY 2500 and FINs every message, written as bench_reader
/// writes them.</summary>
internal static class BenchReader
{
    private const int FinSize = 21; // "FIN " + 16-byte id + "\n"
    private const int WriteBufferSize = 4096; // Go's bufio.Writer default, which bench_reader writes through
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public static async Task<BenchResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        await RunAsync(await SubscribeAsync(settings, cancellationToken), settings, cancellationToken);

    /// <summary>--concurrency connections subscribed to the topic/channel with RDY 0 (the SUB creates the channel).</summary>
    public static async Task<BenchConnection[]> SubscribeAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var connections = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < connections.Length; i++)
            connections[i] = await BenchConnection.SubscribeAsync(settings.NsqdTcpAddress, settings.Connection, settings.Topic, settings.Channel, cancellationToken);
        return connections;
    }

    /// <summary>
    /// Sends RDY on <paramref name="connections"/> and FINs until --runfor or --messages, then closes them. The FINs go
    /// out as bench_reader writes them, so the server sees the same load: into a 4 KiB buffer (Go's bufio.Writer) that
    /// is written when full, and written after every message whose count modulo RDY is past three quarters of RDY
    /// (bench_reader's explicit Flush). With --messages, the messages past N are given back with <c>REQ id 0</c>.
    /// </summary>
    public static async Task<BenchResult> RunAsync(BenchConnection[] connections, BenchSettings settings, CancellationToken cancellationToken)
    {
        long total = 0;
        var budget = settings.Budget;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(settings.RunFor);
        var clock = Stopwatch.StartNew();
        var finished = TimeSpan.Zero;
        // Only --messages needs each message claimed against the shared count; without it a read's messages are added
        // once, so the connections do not contend on the counter per message.
        var limited = budget != long.MaxValue;
        await Task.WhenAll(connections.Select(async connection =>
        {
            var output = new ArrayBufferWriter<byte>(WriteBufferSize);
            var id = new byte[MessageId.Length];
            long count = 0;
            var rdy = settings.Rdy;
            CommandWriter.WriteRdy(output, rdy);
            await FlushAsync(connection, output, cancellationToken);
            try
            {
                var more = true;
                while (more && !stop.IsCancellationRequested)
                {
                    await connection.FillAsync(stop.Token);
                    long unclaimed = 0;
                    while (connection.TryTakeFrame(out var type, out var start, out var length))
                    {
                        if (type == FrameType.Error) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(connection.Data(start, length)));
                        if (type != FrameType.Message) continue;
                        connection.MessageId(start, length).CopyTo(id);
                        if (limited && Interlocked.Increment(ref total) > budget)
                        {
                            Interlocked.Decrement(ref total);
                            CommandWriter.WriteReq(output, id, 0);
                            more = false;
                            continue;
                        }
                        if (output.WrittenCount + FinSize > WriteBufferSize) await FlushAsync(connection, output, cancellationToken);
                        CommandWriter.WriteFin(output, id);
                        count++;
                        if (!limited) unclaimed++;
                        if (count % rdy > rdy * 0.75) await FlushAsync(connection, output, cancellationToken);
                    }
                    if (unclaimed > 0) Interlocked.Add(ref total, unclaimed);
                    if (!more || Interlocked.Read(ref total) >= budget)
                    {
                        more = false;
                        await FlushAsync(connection, output, cancellationToken);
                        if (finished == TimeSpan.Zero) finished = clock.Elapsed;
                        await stop.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            // FINs still buffered when the run ends go out before CLS (bench_reader drops them with the connection,
            // leaving those messages to time out in flight).
            await FlushAsync(connection, output, cancellationToken);
        }));
        var elapsed = finished > TimeSpan.Zero ? finished : clock.Elapsed;
        await Task.WhenAll(connections.Select(c => c.ClsAsync(CloseTimeout)));
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("read", total, elapsed, settings.Size);
    }

    private static async ValueTask FlushAsync(BenchConnection connection, ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        if (output.WrittenCount == 0) return;
        await connection.SendAsync(output.WrittenMemory, cancellationToken);
        output.ResetWrittenCount();
    }
}
