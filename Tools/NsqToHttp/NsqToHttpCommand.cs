using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OrleansNsq.Client;
using OrleansNsq.Tools.Upstream;

using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.NsqToHttp;

/// <summary>
/// <c>nsq_to_http</c> with NSQ's flags and defaults (apps/nsq_to_http): consumes <c>--topic</c> on <c>--channel</c> and
/// makes one HTTP request per message to a <c>--post</c> or <c>--get</c> address picked by <c>--mode</c>, at most
/// <c>--n</c> at a time. Success FINs the message; an error status, a refused connection or a timeout REQs it (with
/// go-nsq's delay and backoff). Ctrl-C finishes the requests in flight and exits 0 with a summary on stderr.
/// </summary>
internal static class NsqToHttpCommand
{
    private const string DefaultContentType = "application/octet-stream";

    public static Command Create()
    {
        var topic = new Option<string>("--topic") { Description = "nsq topic" };
        var channel = new Option<string>("--channel") { DefaultValueFactory = _ => "nsq_to_http", Description = "nsq channel" };
        var maxInFlight = new Option<int>("--max-in-flight") { DefaultValueFactory = _ => 200, Description = "max number of messages to allow in flight" };
        var publishers = new Option<int>("--n") { DefaultValueFactory = _ => 100, Description = "number of concurrent publishers" };
        var mode = new Option<string>("--mode") { DefaultValueFactory = _ => "hostpool", Description = "the upstream request mode options: round-robin, hostpool (default)" };
        var sample = new Option<double>("--sample") { DefaultValueFactory = _ => 1.0, Description = "% of messages to publish (float b/w 0 -> 1)" };
        var connectTimeout = new Option<string>("--http-client-connect-timeout") { DefaultValueFactory = _ => "2s", Description = "timeout for HTTP connect" };
        var requestTimeout = new Option<string>("--http-client-request-timeout") { DefaultValueFactory = _ => "20s", Description = "timeout for HTTP request" };
        var statusEvery = new Option<int>("--status-every") { DefaultValueFactory = _ => 250, Description = "the # of requests between logging status (per handler), 0 disables" };
        var contentType = new Option<string>("--content-type") { DefaultValueFactory = _ => DefaultContentType, Description = "the Content-Type used for POST requests" };
        var post = Repeatable("--post", "HTTP address to make a POST request to.  data will be in the body (may be given multiple times)");
        var get = Repeatable("--get", "HTTP address to make a GET request to. '%s' will be printf replaced with data (may be given multiple times)");
        var header = Repeatable("--header", "Custom header for HTTP requests, 'key: value' (may be given multiple times)");
        var nsqd = Repeatable("--nsqd-tcp-address", "nsqd TCP address (may be given multiple times)");
        var lookupd = Repeatable("--lookupd-http-address", "lookupd HTTP address (may be given multiple times)");
        var version = new Option<bool>("--version") { Description = "print version string" };

        var connection = new Connection.ConnectionFlags(consumerOpt: true);
        var command = new Command("nsq_to_http", "consumes an NSQ topic and makes an HTTP request (GET or POST) for each message");
        foreach (var option in new Option[] { topic, channel, maxInFlight, publishers, mode, sample, connectTimeout, requestTimeout, statusEvery,
                     contentType, post, get, header, nsqd, lookupd, version })
            command.Options.Add(option);
        connection.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync("nsq_to_http v1.3.0 (OrleansNsq)");
                return 0;
            }
            var posts = parse.GetValue(post)!;
            var gets = parse.GetValue(get)!;
            var nsqds = parse.GetValue(nsqd)!;
            var lookupds = parse.GetValue(lookupd)!;
            var type = parse.GetValue(contentType) ?? "";
            var headers = HttpDestination.ParseHeaders(parse.GetValue(header)!);
            var selected = UpstreamModes.Parse(parse.GetValue(mode));
            var fraction = parse.GetValue(sample);
            TimeSpan connect = default, request = default;
            var problem = headers is null ? "--header value format should be 'key: value'"
                : string.IsNullOrEmpty(parse.GetValue(topic)) || string.IsNullOrEmpty(parse.GetValue(channel)) ? "--topic and --channel are required"
                : type != DefaultContentType && posts.Length == 0 ? "--content-type only used with --post"
                : type.Length == 0 ? "--content-type requires a value when used"
                : RelayConsumers.CheckSource(nsqds, lookupds)
                ?? (gets.Length == 0 && posts.Length == 0 ? "--get or --post required"
                : gets.Length > 0 && posts.Length > 0 ? "use --get or --post not both"
                : gets.Any(g => CountOf(g, "%s") != 1) ? "invalid GET address - must be a printf string"
                : gets.Concat(posts).Any(a => !Uri.TryCreate(a.Replace("%s", "", StringComparison.Ordinal), UriKind.Absolute, out _)) ? "--get/--post address must be an absolute http:// URL"
                : selected is null ? "--mode must be round-robin or hostpool"
                : fraction is > 1.0 or < 0.0 ? "ERROR: --sample must be between 0.0 and 1.0"
                : parse.GetValue(publishers) <= 0 ? "--n must be positive"
                : parse.GetValue(maxInFlight) <= 0 ? "--max-in-flight must be positive"
                : !TryDuration(parse.GetValue(connectTimeout), out connect) ? "--http-client-connect-timeout must be a duration (2s)"
                : !TryDuration(parse.GetValue(requestTimeout), out request) ? "--http-client-request-timeout must be a duration (20s)"
                : null);
            var (layers, refused) = connection.Read(parse);
            problem ??= refused;
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }
            var settings = new NsqToHttpSettings
            {
                Connection = layers,
                Topic = parse.GetValue(topic)!, Channel = parse.GetValue(channel)!, MaxInFlight = parse.GetValue(maxInFlight),
                NsqdTcpAddresses = nsqds, LookupdHttpAddresses = lookupds,
                Post = posts.Length > 0, Addresses = posts.Length > 0 ? posts : gets, Mode = selected!.Value,
                Concurrency = parse.GetValue(publishers), Sample = fraction, ContentType = type, Headers = headers!,
                ConnectTimeout = connect, RequestTimeout = request, StatusEvery = parse.GetValue(statusEvery),
            };
            return await RunAsync(settings, error, token);
        });
        return command;
    }

    internal static async Task<int> RunAsync(NsqToHttpSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = settings.ConnectTimeout, MaxConnectionsPerServer = settings.Concurrency };
        using var http = new HttpClient(handler) { Timeout = settings.RequestTimeout };
        var destination = new HttpDestination(http, settings.Post, settings.ContentType, settings.Headers);
        var pool = new HostPool(settings.Addresses, settings.Mode);
        using var publishers = new SemaphoreSlim(settings.Concurrency);
        var aggregate = new TimerMetrics(settings.StatusEvery, "[aggregate]:", error);
        // as nsq_to_http: per-address status only when there is more than one address
        var perAddress = settings.Addresses.Distinct().ToDictionary(a => a, a => new TimerMetrics(settings.Addresses.Count > 1 ? settings.StatusEvery : 0, $"[{a}]:", error));
        long sent = 0, failed = 0, skipped = 0;
        var clock = Stopwatch.StartNew();

        async Task HandleAsync(NsqMessage message, CancellationToken token)
        {
            if (settings.Sample < 1.0 && Random.Shared.NextDouble() > settings.Sample)
            {
                Interlocked.Increment(ref skipped);
                return;
            }
            await publishers.WaitAsync(token);
            try
            {
                var start = Stopwatch.GetTimestamp();
                var address = pool.Next();
                var failure = await destination.SendAsync(address, message.Body, token);
                pool.Mark(address, failure is null);
                if (failure is not null)
                {
                    Interlocked.Increment(ref failed);
                    lock (error) error.WriteLine($"ERROR: {(settings.Post ? "POST" : "GET")} {address}: {failure} - message {message.Id} requeued (attempt {message.Attempts})");
                    throw new UpstreamFailedException(failure);
                }
                Interlocked.Increment(ref sent);
                perAddress[address].Status(start);
                aggregate.Status(start);
            }
            finally
            {
                publishers.Release();
            }
        }

        var (exitCode, finished, requeued) = await RelayConsumers.RunAsync("nsq_to_http", [settings.ConsumerOptions()], _ => HandleAsync, error, cancellationToken);
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"nsq_to_http: {sent} requests succeeded, {failed} failed, {skipped} skipped by --sample; {finished} messages finished, {requeued} requeued from topic({settings.Topic}) channel({settings.Channel}) in {clock.Elapsed.TotalSeconds:0.000}s"));
        return exitCode;
    }

    private static Option<string[]> Repeatable(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static bool TryDuration(string? text, out TimeSpan value)
    {
        try
        {
            value = GoDuration.Parse(text ?? "");
            return value > TimeSpan.Zero;
        }
        catch (FormatException)
        {
            value = default;
            return false;
        }
    }
}
