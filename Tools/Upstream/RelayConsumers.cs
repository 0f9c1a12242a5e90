using OrleansNsq.Client;

namespace OrleansNsq.Tools.Upstream;

/// <summary>
/// The consuming half of nsq_to_http and nsq_to_nsq: one consumer per topic, each with its handler, running until
/// Ctrl-C/SIGTERM. Then each sends CLS and waits for its running handlers (their FIN or REQ) before the process exits 0.
/// A consumer that cannot start (nsqd unreachable, lookupd answering garbage) ends the run with exit code 1.
/// </summary>
internal static class RelayConsumers
{
    /// <summary>How long a stop waits for the messages in flight before closing anyway (nsqd redelivers them).</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    public static async Task<(int ExitCode, long Finished, long Requeued)> RunAsync(string name, IReadOnlyList<NsqConsumerOptions> options,
        Func<NsqConsumerOptions, Func<NsqMessage, CancellationToken, Task>> handlerFor, TextWriter error, CancellationToken cancellationToken)
    {
        var consumers = options.Select(o => new NsqConsumer(o, handlerFor(o))).ToArray();
        var exitCode = 0;
        try
        {
            try
            {
                foreach (var consumer in consumers) await consumer.StartAsync(cancellationToken);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM: finish what is in flight, then exit 0
                await error.WriteLineAsync($"{name}: stopping, finishing the messages in flight");
            }
            catch (Exception e) when (e is NsqErrorException or NsqConnectionException or HttpRequestException)
            {
                await error.WriteLineAsync($"ERROR: {e.Message}");
                exitCode = 1;
            }
            using var bound = new CancellationTokenSource(StopBound);
            await Task.WhenAll(consumers.Select(c => c.StopAsync(bound.Token)));
        }
        finally
        {
            foreach (var consumer in consumers) await consumer.DisposeAsync();
        }
        return (exitCode, consumers.Sum(c => c.MessagesFinished), consumers.Sum(c => c.MessagesRequeued));
    }

    /// <summary>NSQ's flag check for the source: one of the two address kinds, not both; no scheme on lookupd.</summary>
    public static string? CheckSource(IReadOnlyList<string> nsqds, IReadOnlyList<string> lookupds) =>
        nsqds.Count == 0 && lookupds.Count == 0 ? "--nsqd-tcp-address or --lookupd-http-address required"
        : nsqds.Count > 0 && lookupds.Count > 0 ? "use --nsqd-tcp-address or --lookupd-http-address not both"
        : lookupds.Any(a => a.StartsWith("http", StringComparison.Ordinal)) ? "--lookupd-http-address error - address should not contain scheme"
        : null;
}
