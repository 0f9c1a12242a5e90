using System.Diagnostics;
using System.Text;

namespace OrleansNsq.Tools.Bench;

/// <summary>bench_reader: each connection SUBs with RDY, FINs every message (all FINs of one read in one write).</summary>
internal static class BenchReader
{
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
        var budget = settings.Messages > 0 ? settings.Messages : long.MaxValue;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunFor);
        var clock = Stopwatch.StartNew();
        var rdy = Encoding.ASCII.GetBytes($"RDY {settings.Rdy}\n");
        await Task.WhenAll(connections.Select(async connection =>
        {
            await connection.Stream.WriteAsync(rdy, cancellationToken);
            var fins = new byte[1 << 20];
            try
            {
                while (!deadline.IsCancellationRequested && Interlocked.Read(ref total) < budget)
                {
                    await connection.FillAsync(deadline.Token);
                    var finBytes = 0;
                    long received = 0;
                    while (connection.TryTakeFrame(out var type, out var start, out var length))
                    {
                        if (type == 1) throw new InvalidOperationException("error frame: " + Encoding.UTF8.GetString(connection.Data(start, length)));
                        if (type != 2) continue;
                        // [8 timestamp][2 attempts][16 id][body]
                        if (finBytes + 21 > fins.Length)
                        {
                            await connection.Stream.WriteAsync(fins.AsMemory(0, finBytes), cancellationToken);
                            finBytes = 0;
                        }
                        "FIN "u8.CopyTo(fins.AsSpan(finBytes));
                        connection.Data(start + 10, 16).CopyTo(fins.AsSpan(finBytes + 4));
                        fins[finBytes + 20] = (byte)'\n';
                        finBytes += 21;
                        received++;
                    }
                    Interlocked.Add(ref total, received);
                    if (finBytes > 0) await connection.Stream.WriteAsync(fins.AsMemory(0, finBytes), cancellationToken);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
            }
        }));
        var elapsed = clock.Elapsed;
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("read", total, elapsed, settings.Size);
    }
}
