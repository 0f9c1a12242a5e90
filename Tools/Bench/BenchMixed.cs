namespace OrleansNsq.Tools.Bench;

/// <summary>
/// bench_writer and bench_reader started together on one topic/channel, as a user runs NSQ's two tools at once. The
/// readers SUB first, so the channel exists before the first MPUB and every message written can be read.
/// </summary>
internal static class BenchMixed
{
    public static async Task<MixedResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var readers = await BenchReader.SubscribeAsync(settings, cancellationToken);
        var writers = await BenchWriter.ConnectAsync(settings, cancellationToken);
        // A failed side stops the other: with --messages alone, readers would otherwise wait forever for a writer.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var write = StopOthersOnFailure(BenchWriter.RunAsync(writers, settings, failed.Token), failed);
        var read = StopOthersOnFailure(BenchReader.RunAsync(readers, settings, failed.Token), failed);
        await Task.WhenAll(write, read);
        return new MixedResult(settings, await write, await read);
    }

    private static async Task<BenchResult> StopOthersOnFailure(Task<BenchResult> run, CancellationTokenSource failed)
    {
        try
        {
            return await run;
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }
}
