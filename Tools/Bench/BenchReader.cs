using System.Diagnostics;
using System.Text;

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
        var rdy = Encoding.ASCII.GetBytes($"RDY {settings.Rdy}\n");
        await Task.WhenAll(connections.Select(async connection =>
        {
            await connection.Stream.WriteAsync(rdy, cancellationToken);
            // One read (at most 1 MiB) holds at most 1 MiB / 34 B (the smallest message frame) messages, whose FINs
            // (21 B each) fit in 1 MiB: the FINs of one read never overflow this buffer.
            var fins = new byte[1 << 20];
            var reqs = new byte[fins.Length / FinSize * BenchConnection.RequeueSize];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await connection.FillAsync(stop.Token);
                    var finBytes = 0;
                    long received = 0;
                    while (connection.TryTakeFrame(out var type, out var start, out var length))
                    {
                        if (type == 1) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(connection.Data(start, length)));
                        if (type != 2) continue;
                        // [8 timestamp][2 attempts][16 id][body]
                        "FIN "u8.CopyTo(fins.AsSpan(finBytes));
                        connection.Data(start + 10, 16).CopyTo(fins.AsSpan(finBytes + 4));
                        fins[finBytes + 20] = (byte)'\n';
                        finBytes += FinSize;
                        received++;
                    }
                    var more = Claim(ref total, ref received, budget, fins, ref finBytes, reqs, out var reqBytes);
                    if (finBytes > 0) await connection.Stream.WriteAsync(fins.AsMemory(0, finBytes), cancellationToken);
                    if (reqBytes > 0) await connection.Stream.WriteAsync(reqs.AsMemory(0, reqBytes), cancellationToken);
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
    /// Counts <paramref name="received"/> messages against the budget. Those past it are not FIN'd but turned into
    /// <c>REQ &lt;id&gt; 0</c> in <paramref name="reqs"/> (their FINs are the last ones written), so --messages N
    /// finishes exactly N and leaves the rest in the channel. False once the budget is used.
    /// </summary>
    private static bool Claim(ref long total, ref long received, long budget, byte[] fins, ref int finBytes, byte[] reqs, out int reqBytes)
    {
        reqBytes = 0;
        var after = Interlocked.Add(ref total, received);
        var excess = Math.Min(received, after - budget);
        received = 0;
        if (excess < 0) return true;
        Interlocked.Add(ref total, -excess);
        for (var i = 0; i < excess; i++)
        {
            finBytes -= FinSize;
            BenchConnection.WriteRequeue(reqs.AsSpan(reqBytes), fins.AsSpan(finBytes + 4, 16));
            reqBytes += BenchConnection.RequeueSize;
        }
        return false;
    }
}
