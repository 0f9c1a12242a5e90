using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace OrleansNsq.Tools.Bench;

/// <summary>bench_writer: each connection loops MPUB of batch-size messages, waiting for each OK.</summary>
internal static class BenchWriter
{
    public static async Task<BenchResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        await RunAsync(await ConnectAsync(settings, cancellationToken), settings, cancellationToken);

    /// <summary>--concurrency connections, identified, ready to publish.</summary>
    public static async Task<BenchConnection[]> ConnectAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var connections = new BenchConnection[settings.Concurrency];
        for (var i = 0; i < connections.Length; i++)
            connections[i] = await BenchConnection.ConnectAsync(settings.NsqdTcpAddress, cancellationToken);
        return connections;
    }

    /// <summary>Publishes on <paramref name="connections"/> until --runfor or --messages, then closes them.</summary>
    public static async Task<BenchResult> RunAsync(BenchConnection[] connections, BenchSettings settings, CancellationToken cancellationToken)
    {
        var frame = BuildMpub(settings.Topic, settings.Size, settings.BatchSize);
        long claimed = 0, sent = 0;
        var budget = settings.Budget;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunFor);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(connections.Select(async connection =>
        {
            while (!deadline.IsCancellationRequested)
            {
                // Claim a batch; the batch that crosses --messages is cut to what is left, so exactly N are sent.
                var end = Interlocked.Add(ref claimed, settings.BatchSize);
                var count = (int)Math.Min(settings.BatchSize, budget - (end - settings.BatchSize));
                if (count <= 0) break;
                var batch = count == settings.BatchSize ? frame : BuildMpub(settings.Topic, settings.Size, count);
                await connection.Stream.WriteAsync(batch, cancellationToken);
                await connection.ExpectOkAsync(cancellationToken);
                Interlocked.Add(ref sent, count);
            }
        }));
        var elapsed = clock.Elapsed;
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("write", sent, elapsed, settings.Size);
    }

    /// <summary>MPUB &lt;topic&gt;\n[i32 body][i32 count] count × [i32 size][bytes].</summary>
    internal static byte[] BuildMpub(string topic, int size, int count)
    {
        var header = Encoding.ASCII.GetBytes("MPUB " + topic + "\n");
        var bodySize = 4 + count * (4 + size);
        var frame = new byte[header.Length + 4 + bodySize];
        header.CopyTo(frame, 0);
        var at = header.Length;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), bodySize);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at + 4), count);
        at += 8;
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), size);
            frame.AsSpan(at + 4, size).Fill((byte)'a');
            at += 4 + size;
        }
        return frame;
    }

    /// <summary>PUB &lt;topic&gt;\n[i32 size][bytes].</summary>
    internal static byte[] BuildPub(string topic, int size)
    {
        var header = Encoding.ASCII.GetBytes("PUB " + topic + "\n");
        var frame = new byte[header.Length + 4 + size];
        header.CopyTo(frame, 0);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(header.Length), size);
        frame.AsSpan(header.Length + 4).Fill((byte)'a');
        return frame;
    }
}
