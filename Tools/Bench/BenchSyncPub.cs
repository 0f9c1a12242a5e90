using System.Diagnostics;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// One producer connection that waits for each PUB's OK before sending the next, as a web request handler publishes
/// (go-nsq's <c>Producer.Publish</c>). Measures msgs/s and each PUB → OK round trip.
/// </summary>
internal static class BenchSyncPub
{
    /// <summary>PUBs sent before the clock starts (not counted): the connection, the topic and the JIT get warm.</summary>
    public const int WarmUp = 200;

    public static async Task<LatencyResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var frame = BenchWriter.BuildPub(settings.Topic, settings.Size);
        await using var connection = await BenchConnection.ConnectAsync(settings.NsqdTcpAddress, settings.Connection, cancellationToken);
        for (var i = 0; i < WarmUp; i++) await PubAsync(connection, frame, cancellationToken);

        var roundTrip = new LatencyHistogram();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunFor);
        var budget = settings.Budget;
        long sent = 0;
        var clock = Stopwatch.StartNew();
        while (sent < budget && !deadline.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            await PubAsync(connection, frame, cancellationToken);
            roundTrip.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
            sent++;
        }
        return new LatencyResult("syncpub", "messages", sent, clock.Elapsed, settings.Size, 1, "round_trip_us", roundTrip);
    }

    private static async Task PubAsync(BenchConnection connection, byte[] frame, CancellationToken cancellationToken)
    {
        await connection.SendAsync(frame, cancellationToken);
        await connection.ExpectOkAsync(cancellationToken);
    }
}
