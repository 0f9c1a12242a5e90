using System.Diagnostics;
using System.Net;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// <c>POST /pub?topic=T</c> with one --size-byte body per request from --concurrency keep-alive connections for
/// --runfor, as <c>wrk -t2 -c32</c> loads nsqd's HTTP API and as most services publish. Each connection has one
/// request outstanding at a time; measures requests/s, non-200 answers and each request's round trip.
/// </summary>
internal static class BenchHttpPub
{
    /// <summary>Requests per connection before the clock starts (not counted): every connection is open and warm.</summary>
    public const int WarmUpPerConnection = 20;

    /// <summary>
    /// The runtime's switch that runs socket completions on its epoll thread instead of queueing each to the thread
    /// pool. It is read once, when the process first uses a socket, so it is set before any is opened, and only if the
    /// caller did not set it. Against a trivial Kestrel endpoint on the 2-core machine, alternated: 33–39k req/s
    /// without it, 40–48k with it (docs/PERFORMANCE.md, "The everyday loads").
    /// </summary>
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static async Task<LatencyResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null) Environment.SetEnvironmentVariable(InlineCompletions, "1");
        // One pool of exactly --concurrency HTTP/1.1 connections, kept alive for the whole run; nothing the handler
        // does by default that wrk does not (proxy lookup, cookies, decompression, redirects).
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var uri = new Uri($"http://{settings.NsqdHttpAddress}/pub?topic={Uri.EscapeDataString(settings.Topic)}");
        var body = new byte[settings.Size];
        body.AsSpan().Fill((byte)'a');

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async _ =>
        {
            for (var i = 0; i < WarmUpPerConnection; i++) await PostAsync(client, uri, body, cancellationToken);
        }));

        var workers = Enumerable.Range(0, settings.Concurrency).Select(_ => new Worker(new LatencyHistogram())).ToArray();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RunFor);
        var budget = settings.Budget;
        long claimed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(workers.Select(async worker =>
        {
            while (!deadline.IsCancellationRequested && Interlocked.Increment(ref claimed) <= budget)
            {
                var start = Stopwatch.GetTimestamp();
                var status = await PostAsync(client, uri, body, cancellationToken);
                worker.Latency.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
                if (status != HttpStatusCode.OK) worker.Failed++;
            }
        }));
        var elapsed = clock.Elapsed;
        var latency = new LatencyHistogram();
        long failed = 0;
        foreach (var worker in workers)
        {
            latency.Add(worker.Latency);
            failed += worker.Failed;
        }
        return new LatencyResult("httppub", "requests", latency.Count, elapsed, settings.Size, settings.Concurrency, "latency_us", latency, failed);
    }

    /// <summary>One request; the answer (nsqd's "OK") is read to its end so the connection goes back to the pool at once.</summary>
    private static async Task<HttpStatusCode> PostAsync(HttpClient client, Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>One connection's loop: its own histogram and counter, merged after the run.</summary>
    private sealed class Worker(LatencyHistogram latency)
    {
        public LatencyHistogram Latency { get; } = latency;
        public long Failed { get; set; }
    }
}
