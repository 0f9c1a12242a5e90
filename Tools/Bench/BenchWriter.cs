using System.Buffers;
using System.Diagnostics;
using OrleansNsq.Protocol;

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
            connections[i] = await BenchConnection.ConnectAsync(settings.NsqdTcpAddress, settings.Connection, cancellationToken);
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
                await connection.SendAsync(batch, cancellationToken);
                await connection.ExpectOkAsync(cancellationToken);
                Interlocked.Add(ref sent, count);
            }
        }));
        var elapsed = clock.Elapsed;
        foreach (var connection in connections) await connection.DisposeAsync();
        return new BenchResult("write", sent, elapsed, settings.Size);
    }

    /// <summary>One MPUB of <paramref name="count"/> bodies of 'a' × <paramref name="size"/>, built once and sent
    /// again and again.</summary>
    public static byte[] BuildMpub(string topic, int size, int count)
    {
        var body = Body(size);
        var bodies = new ReadOnlyMemory<byte>[count];
        Array.Fill(bodies, body);
        var frame = new ArrayBufferWriter<byte>(64 + count * (4 + size));
        CommandWriter.WriteMpub(frame, topic, bodies);
        return frame.WrittenSpan.ToArray();
    }

    /// <summary>One PUB of 'a' × <paramref name="size"/>.</summary>
    public static byte[] BuildPub(string topic, int size)
    {
        var frame = new ArrayBufferWriter<byte>(64 + size);
        CommandWriter.WritePub(frame, topic, Body(size));
        return frame.WrittenSpan.ToArray();
    }

    private static byte[] Body(int size)
    {
        var body = new byte[size];
        body.AsSpan().Fill((byte)'a');
        return body;
    }
}
