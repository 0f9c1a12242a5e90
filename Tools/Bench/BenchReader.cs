using System.Diagnostics;
using System.Text;

namespace OrleansNsq.Tools.Bench;

/// <summary>bench_reader: each connection SUBs with RDY, FINs every message (all FINs of one read in one write).</summary>
internal static class BenchReader
{
    private const int FinSize = 21; // "FIN " + 16-byte id + "\n"

    public static async Task<BenchResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var connections = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < connections.Length; i++)
        {
            var connection = await BenchConnection.ConnectAsync(settings.NsqdTcpAddress, cancellationToken);
            await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes($"SUB {settings.Topic} {settings.Channel}\n"), cancellationToken);
            await connection.ExpectOkAsync(cancellationToken);
            connections[i] = connection;
        }

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
            var fins = new byte[1 << 20];
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
                        if (finBytes + FinSize > fins.Length)
                        {
                            if (!Claim(ref total, ref received, budget, ref finBytes)) break;
                            await connection.Stream.WriteAsync(fins.AsMemory(0, finBytes), cancellationToken);
                            finBytes = 0;
                        }
                        "FIN "u8.CopyTo(fins.AsSpan(finBytes));
                        connection.Data(start + 10, 16).CopyTo(fins.AsSpan(finBytes + 4));
                        fins[finBytes + 20] = (byte)'\n';
                        finBytes += FinSize;
                        received++;
                    }
                    var more = Claim(ref total, ref received, budget, ref finBytes);
                    if (finBytes > 0) await connection.Stream.WriteAsync(fins.AsMemory(0, finBytes), cancellationToken);
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
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("read", total, elapsed, settings.Size);
    }

    /// <summary>
    /// Counts <paramref name="received"/> messages against the budget; those past it are not FIN'd (the server
    /// requeues them when the connection closes), so --messages N finishes exactly N. False once the budget is used.
    /// </summary>
    private static bool Claim(ref long total, ref long received, long budget, ref int finBytes)
    {
        var after = Interlocked.Add(ref total, received);
        var excess = Math.Min(received, after - budget);
        received = 0;
        if (excess < 0) return true;
        Interlocked.Add(ref total, -excess);
        finBytes -= (int)excess * FinSize;
        return false;
    }
}
