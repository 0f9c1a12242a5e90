using System.CommandLine;

using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.Stat;

/// <summary><c>nsq_stat</c> with NSQ's flags (apps/nsq_stat): polls /stats of a topic's producers and prints per-interval rates.</summary>
internal static class NsqStatCommand
{
    public static Command Create()
    {
        var topic = new Option<string>("--topic") { Description = "NSQ topic" };
        var channel = new Option<string>("--channel") { Description = "NSQ channel" };
        var interval = new Option<TimeSpan>("--interval") { DefaultValueFactory = _ => TimeSpan.FromSeconds(2), Description = "duration of time between polling/printing output", CustomParser = r => GoDuration.Parse(r.Tokens[0].Value) };
        var connectTimeout = new Option<TimeSpan>("--http-client-connect-timeout") { DefaultValueFactory = _ => TimeSpan.FromSeconds(2), Description = "timeout for HTTP connect", CustomParser = r => GoDuration.Parse(r.Tokens[0].Value) };
        var requestTimeout = new Option<TimeSpan>("--http-client-request-timeout") { DefaultValueFactory = _ => TimeSpan.FromSeconds(5), Description = "timeout for HTTP request", CustomParser = r => GoDuration.Parse(r.Tokens[0].Value) };
        var count = new Option<int?>("--count") { Description = "number of reports" };
        var nsqd = new Option<string[]>("--nsqd-http-address") { Description = "nsqd HTTP address (may be given multiple times)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var lookupd = new Option<string[]>("--lookupd-http-address") { Description = "lookupd HTTP address (may be given multiple times)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var version = new Option<bool>("--version") { Description = "print version" };

        var command = new Command("nsq_stat", "polls /stats for all the producers of the specified topic/channel and displays aggregate stats");
        foreach (var option in new Option[] { topic, channel, interval, connectTimeout, requestTimeout, count, nsqd, lookupd, version })
            command.Options.Add(option);
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await output.WriteLineAsync("nsq_stat v1.3.0 (OrleansNsq)");
                return 0;
            }
            var problem = Validate(parse.GetValue(topic), parse.GetValue(channel), parse.GetValue(interval), parse.GetValue(connectTimeout),
                parse.GetValue(requestTimeout), parse.GetValue(count), parse.GetValue(nsqd)!, parse.GetValue(lookupd)!);
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }
            using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = parse.GetValue(connectTimeout) }) { Timeout = parse.GetValue(requestTimeout) };
            var stat = new NsqStat(new StatsSource(http, parse.GetValue(nsqd)!, parse.GetValue(lookupd)!), output);
            try
            {
                await stat.RunAsync(parse.GetValue(topic)!, parse.GetValue(channel)!, parse.GetValue(interval), parse.GetValue(count) ?? 0, token);
                return 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return 0; // Ctrl-C / SIGTERM: nsq_stat exits quietly
            }
            catch (NsqStatException e)
            {
                await error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>nsq_stat's checks in its order, with its messages; null when the flags are usable.</summary>
    private static string? Validate(string? topic, string? channel, TimeSpan interval, TimeSpan connectTimeout, TimeSpan requestTimeout,
        int? count, string[] nsqd, string[] lookupd)
    {
        if (string.IsNullOrEmpty(topic) || string.IsNullOrEmpty(channel)) return "--topic and --channel are required";
        if (interval <= TimeSpan.Zero) return "--interval should be positive";
        if (connectTimeout <= TimeSpan.Zero) return "--http-client-connect-timeout should be positive";
        if (requestTimeout <= TimeSpan.Zero) return "--http-client-request-timeout should be positive";
        if (count is <= 0) return "--count should be positive";
        if (nsqd.Length == 0 && lookupd.Length == 0) return "--nsqd-http-address or --lookupd-http-address required";
        if (nsqd.Length > 0 && lookupd.Length > 0) return "use --nsqd-http-address or --lookupd-http-address not both";
        if (nsqd.Any(a => a.StartsWith("http", StringComparison.Ordinal))) return "--nsqd-http-address error - address should not contain scheme";
        if (lookupd.Any(a => a.StartsWith("http", StringComparison.Ordinal))) return "--lookupd-http-address error - address should not contain scheme";
        return null;
    }
}
