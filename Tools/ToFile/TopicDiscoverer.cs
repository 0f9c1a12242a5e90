using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansNsq.Client;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// The topics nsq_to_file writes (apps/nsq_to_file/topic_discoverer.go): the <c>--topic</c> list, or without one every
/// topic lookupd's <c>/topics</c> lists, asked at start and every <c>--topic-refresh</c>; with
/// <c>--topic-pattern</c> only the topics it matches. One <see cref="TopicLogger"/> per topic.
/// </summary>
internal sealed class TopicDiscoverer(ToFileSettings settings, ToFileLog log, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, TopicLogger> _topics = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skipped = new(StringComparer.Ordinal);
    private readonly Regex? _pattern = settings.TopicPattern.Length == 0 ? null
        : new Regex(settings.TopicPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private readonly HttpClient _http = new() { Timeout = settings.HttpRequestTimeout };
    private readonly CancellationTokenSource _fatal = new();

    /// <summary>Runs until <paramref name="stop"/> (0) or a file fails (1); then stops every topic.</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stop, _fatal.Token);
        using var hangup = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reopen();
        });
        try
        {
            foreach (var topic in settings.Topics)
            {
                if (!await AddAsync(topic, done.Token))
                {
                    await StopAllAsync();
                    return 1;
                }
            }

            if (settings.Topics.Count == 0)
            {
                // NSQ asks lookupd first after one refresh interval; asking at once loses nothing
                await RefreshAsync(done.Token);
                using var timer = new PeriodicTimer(settings.TopicRefresh, time);
                while (await timer.WaitForNextTickAsync(done.Token)) await RefreshAsync(done.Token);
            }
            else
            {
                await Task.Delay(Timeout.Infinite, done.Token);
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }

        log.Info($"stopping {_topics.Count} topic(s): syncing, finishing and closing files");
        await StopAllAsync();
        return _fatal.IsCancellationRequested ? 1 : 0;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var address in settings.LookupdHttpAddresses)
        {
            try
            {
                topics.UnionWith(await LookupdTopicsAsync(address, cancellationToken));
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                          || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                log.Error($"could not retrieve topic list: lookupd {address}: {e.Message}");
            }
        }

        foreach (var topic in topics) await AddAsync(topic, cancellationToken);
    }

    /// <summary>GET /topics: <c>{"topics":[…]}</c> (nsqlookupd 1.x; the older <c>{"data":{"topics":[…]}}</c> too).</summary>
    private async Task<IEnumerable<string>> LookupdTopicsAsync(string address, CancellationToken cancellationToken)
    {
        var url = address.StartsWith("http://", StringComparison.Ordinal) || address.StartsWith("https://", StringComparison.Ordinal)
            ? $"{address.TrimEnd('/')}/topics" : $"http://{address}/topics";
        using var response = await _http.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = json.RootElement.TryGetProperty("data", out var data) ? data : json.RootElement;
        return root.GetProperty("topics").EnumerateArray().Select(t => t.GetString() ?? string.Empty).Where(t => t.Length > 0).ToArray();
    }

    /// <summary>Starts a logger for a topic not seen yet; false when its consumer could not start.</summary>
    private async Task<bool> AddAsync(string topic, CancellationToken cancellationToken)
    {
        if (_topics.ContainsKey(topic) || _skipped.Contains(topic)) return true;
        if (_pattern is not null && !_pattern.IsMatch(topic))
        {
            log.Warn($"skipping topic {topic} (doesn't match pattern {settings.TopicPattern})");
            _skipped.Add(topic);
            return true;
        }

        var format = FileNameFormat.TryCreate(settings, topic, Environment.MachineName, Environment.ProcessId, out var problem)
            ?? throw new InvalidOperationException(problem);
        try
        {
            var logger = await TopicLogger.StartAsync(topic, settings, format, log, time, () => _fatal.Cancel(), cancellationToken);
            lock (_topics) _topics[topic] = logger;
            log.Info($"[{topic}/{settings.Channel}] consuming");
            return true;
        }
        catch (Exception e) when (e is NsqConnectionException or NsqErrorException or HttpRequestException or ArgumentException)
        {
            // a discovered topic is tried again at the next refresh
            log.Error($"couldn't create logger for new topic {topic}: {e.Message}");
            return false;
        }
    }

    private void Reopen()
    {
        log.Info("SIGHUP: closing files");
        lock (_topics)
        {
            foreach (var logger in _topics.Values) logger.Reopen();
        }
    }

    private async Task StopAllAsync()
    {
        TopicLogger[] loggers;
        lock (_topics) loggers = _topics.Values.ToArray();
        // bounded: a consumer whose handlers cannot finish leaves its unsynced messages un-FIN'd (delivered again)
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Task.WhenAll(loggers.Select(l => l.StopAsync(bound.Token)));
    }

    public void Dispose()
    {
        _http.Dispose();
        _fatal.Dispose();
    }
}
