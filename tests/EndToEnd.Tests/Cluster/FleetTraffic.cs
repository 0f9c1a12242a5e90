using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// Publishers and consumers of one topic on every silo of a cluster, each recording what it saw: every body answered OK
/// (acknowledged), how long every PUB waited for its answer and what the answer was (OK, an error frame, a close, or
/// none within <see cref="ReadBound"/>), and every body received. A publisher waits for each answer before its next PUB.
/// On an error or a closed connection a client reconnects, to the same silo while its process lives and otherwise to a
/// producer another silo's lookupd lists for the topic, as a client configured with lookupd does.
/// </summary>
internal sealed class FleetTraffic(SiloCluster cluster, string topic, string channel, Timeline timeline) : IAsyncDisposable
{
    private const int PublishersPerSilo = 2;
    private const int ConsumerRdy = 50;

    /// <summary>The pause after an answered PUB: at most 40 PUBs a second per publisher, 240 in all, which a 2-core
    /// machine running three silos and PostgreSQL keeps up with.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(25);

    /// <summary>The longest wait for one PUB's answer: far past the bound the test asserts, so a late answer is
    /// measured rather than cut short.</summary>
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(30);

    /// <summary>A consumer that received nothing for this long reconnects, which lets it see the stop token.</summary>
    private static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(3);

    /// <summary>Between reconnect attempts, as a client backs off: a refused connection is not retried in a spin. A pace,
    /// not a wait for a result.</summary>
    private static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stopPublishing = new();
    private readonly CancellationTokenSource _stopConsuming = new();
    private readonly List<Task> _publishers = [];
    private readonly List<Task> _consumers = [];
    private readonly long[] _receivedVia = new long[cluster.Silos.Count];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public ConcurrentDictionary<string, bool> Acknowledged { get; } = new();

    /// <summary>Each body received, with how many times.</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new();

    /// <summary>The answers to the PUBs sent to each silo, by the silo's index.</summary>
    public PublishAnswers[] Answers { get; } = cluster.Silos.Select(_ => new PublishAnswers()).ToArray();

    public long ReceivedVia(int silo) => Interlocked.Read(ref _receivedVia[silo]);

    /// <summary>Starts <see cref="PublishersPerSilo"/> publishers and one consumer on every silo.</summary>
    public void Start()
    {
        for (var s = 0; s < cluster.Silos.Count; s++)
        {
            for (var p = 0; p < PublishersPerSilo; p++) _publishers.Add(PublishAsync(s, p));
            AddConsumer(s);
        }
    }

    /// <summary>One more consumer, first on the silo at <paramref name="home"/>.</summary>
    public void AddConsumer(int home) => _consumers.Add(ConsumeAsync(home));

    /// <summary>Every silo has answered at least <paramref name="oks"/> PUBs OK and something was received.</summary>
    public bool WarmedUp(int oks) => Answers.All(a => a.Ok >= oks) && !Received.IsEmpty;

    public async Task StopPublishingAsync()
    {
        await _stopPublishing.CancelAsync();
        await BoundedWait.ForAsync(Task.WhenAll(_publishers), "stopping the publishers", ReadBound + TimeSpan.FromSeconds(15));
    }

    public async Task StopConsumingAsync()
    {
        await _stopConsuming.CancelAsync();
        await BoundedWait.ForAsync(Task.WhenAll(_consumers), "stopping the consumers", QuietBound + TimeSpan.FromSeconds(15));
    }

    public string Describe() => string.Join(Environment.NewLine, Answers.Select((a, s) =>
        $"silo {s + 1}: PUBs {a.Describe()}; received through it {ReceivedVia(s)}"));

    private async Task PublishAsync(int home, int number)
    {
        var stop = _stopPublishing.Token;
        var target = home;
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var client = await V2Client.ConnectAsync(cluster.Silos[target].TcpPort);
                while (!stop.IsCancellationRequested)
                {
                    var body = $"s{home + 1}p{number}-{sequence++}";
                    var answer = await PubAsync(client, body);
                    Record(target, body, answer);
                    if (answer.Kind != AnswerKind.Ok) break; // E_PUB_FAILED closes the connection, as in nsqd
                    await Task.Delay(Pace, stop);
                }
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or OperationCanceledException)
            {
                // the silo refused the connection (its process is gone), or the stop came during the pause
            }
            target = await NextTargetAsync(target, home + number, stop);
        }
    }

    private async Task<PublishAnswer> PubAsync(V2Client client, string body)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await client.Pub(topic, body);
            Frame? frame;
            do frame = await client.ReadFrameAsync("PUB answer", ReadBound);
            while (frame is { IsHeartbeat: true });
            return frame switch
            {
                null => new PublishAnswer(AnswerKind.Closed, clock.Elapsed, "closed"),
                { Type: FrameType.Response, Text: "OK" } => new PublishAnswer(AnswerKind.Ok, clock.Elapsed, "OK"),
                _ => new PublishAnswer(AnswerKind.Refused, clock.Elapsed, frame.Text),
            };
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            return new PublishAnswer(AnswerKind.Closed, clock.Elapsed, e.Message);
        }
        catch (TimeoutException)
        {
            return new PublishAnswer(AnswerKind.Unanswered, clock.Elapsed, $"no answer within {ReadBound.TotalSeconds:0} s");
        }
    }

    private void Record(int silo, string body, PublishAnswer answer)
    {
        if (answer.Kind == AnswerKind.Ok) Acknowledged[body] = true;
        Answers[silo].Add(answer, timeline.FromCut);
        if (timeline.IsCut && answer.Kind != AnswerKind.Ok)
        {
            var what = answer.Kind == AnswerKind.Refused ? answer.Text.Split(' ')[0] : answer.Kind.ToString().ToLowerInvariant();
            timeline.Mark($"silo {silo + 1}: first PUB answered {what}", $"{answer.Text} after {answer.Latency.TotalSeconds:0.000} s");
        }
    }

    private async Task ConsumeAsync(int home)
    {
        var stop = _stopConsuming.Token;
        var target = home;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var client = await V2Client.ConnectAsync(cluster.Silos[target].TcpPort);
                await client.Sub(topic, channel);
                await client.ExpectOkAsync($"SUB on silo {target + 1}");
                await client.Rdy(ConsumerRdy);
                while (!stop.IsCancellationRequested)
                {
                    var frame = await client.ReadFrameAsync("consuming", QuietBound) ?? throw new IOException("closed");
                    if (frame.IsHeartbeat)
                    {
                        await client.Nop();
                        continue;
                    }
                    if (frame.Type != FrameType.Message) continue; // E_FIN_FAILED after a failover: the message comes again
                    var message = NsqMessage.Parse(frame.Data);
                    Received.AddOrUpdate(message.BodyText, 1, static (_, n) => n + 1);
                    Interlocked.Increment(ref _receivedVia[target]);
                    await client.Fin(message.Id);
                }
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or InvalidDataException
                                          or OperationCanceledException or Xunit.Sdk.XunitException)
            {
                // a refused connection, a close, a SUB not answered OK, or a quiet connection: reconnect
            }
            target = await NextTargetAsync(target, home, stop);
        }
    }

    /// <summary>After a pause, the same silo while its process lives; once it has exited, a producer of the topic that
    /// another live silo's lookupd lists (which one depends on <paramref name="spread"/>, so clients spread out).</summary>
    private async Task<int> NextTargetAsync(int current, int spread, CancellationToken stop)
    {
        try
        {
            await Task.Delay(ReconnectPause, stop);
        }
        catch (OperationCanceledException)
        {
            return current;
        }
        if (!cluster.Silos[current].HasExited) return current;
        for (var s = 0; s < cluster.Silos.Count; s++)
        {
            if (s == current || cluster.Silos[s].HasExited) continue;
            try
            {
                using var lookup = JsonDocument.Parse(await _http.GetStringAsync(
                    $"http://{cluster.Silos[s].LookupdHttpAddress}/lookup?topic={topic}", stop));
                var live = lookup.RootElement.GetProperty("producers").EnumerateArray()
                    .Select(p => cluster.Silos.FindIndex(silo => silo.TcpPort == p.GetProperty("tcp_port").GetInt32()))
                    .Where(i => i >= 0 && i != current && !cluster.Silos[i].HasExited)
                    .ToArray();
                if (live.Length > 0) return live[spread % live.Length];
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                // this lookupd did not answer; ask the next
            }
        }

        return current;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopPublishing.CancelAsync();
        await _stopConsuming.CancelAsync();
        try
        {
            await Task.WhenAll([.. _publishers, .. _consumers]).WaitAsync(ReadBound + TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // a client still blocked on a dead connection; the process tree is torn down next
        }
        _http.Dispose();
        _stopPublishing.Dispose();
        _stopConsuming.Dispose();
    }
}

internal enum AnswerKind
{
    Ok,
    /// <summary>An error frame, E_PUB_FAILED in a partition.</summary>
    Refused,
    /// <summary>The connection closed (or reset) before an answer.</summary>
    Closed,
    /// <summary>Nothing within the read bound.</summary>
    Unanswered,
}

internal sealed record PublishAnswer(AnswerKind Kind, TimeSpan Latency, string Text);

/// <summary>The answers one silo gave to PUBs: counts by kind, the longest wait, and the answers that came late.</summary>
internal sealed class PublishAnswers
{
    private const int KeptLate = 5;
    private readonly Lock _gate = new();
    private readonly int[] _counts = new int[4];
    private readonly List<string> _late = [];

    /// <summary>An answer slower than this is kept, with when it came, for the report.</summary>
    public static readonly TimeSpan Late = TimeSpan.FromSeconds(2);

    public int Ok
    {
        get { lock (_gate) return _counts[(int)AnswerKind.Ok]; }
    }

    public int Unanswered
    {
        get { lock (_gate) return _counts[(int)AnswerKind.Unanswered]; }
    }

    public TimeSpan MaxLatency { get; private set; }

    /// <summary>When the last PUB answered OK after the cut was answered, counted from the cut.</summary>
    public TimeSpan? LastOkFromCut { get; private set; }

    public void Add(PublishAnswer answer, TimeSpan fromCut)
    {
        lock (_gate)
        {
            _counts[(int)answer.Kind]++;
            if (answer.Kind == AnswerKind.Ok && fromCut > TimeSpan.Zero) LastOkFromCut = fromCut;
            if (answer.Latency > MaxLatency) MaxLatency = answer.Latency;
            if (answer.Latency > Late && _late.Count < KeptLate)
                _late.Add($"{answer.Kind} '{answer.Text}' after {answer.Latency.TotalSeconds:0.000} s (answered at {fromCut.TotalSeconds:+0.000;-0.000} s from the cut)");
        }
    }

    public string Describe()
    {
        lock (_gate)
        {
            var late = _late.Count == 0 ? "" : $"; slower than {Late.TotalSeconds:0} s: {string.Join(" | ", _late)}";
            return $"{_counts[0]} OK, {_counts[1]} refused, {_counts[2]} closed, {_counts[3]} unanswered, longest wait "
                   + $"{MaxLatency.TotalSeconds:0.000} s{late}";
        }
    }
}
