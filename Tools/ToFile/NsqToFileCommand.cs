using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

using OrleansNsq.Protocol;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// <c>nsq_to_file</c> with NSQ 1.3's flags and defaults (apps/nsq_to_file): consumes each topic on <c>--channel</c> and
/// appends each message body and a newline to one file per topic, FINning a message only once its line is synced to
/// disk. Ctrl-C or SIGTERM syncs, FINs, closes and moves the files and exits 0; SIGHUP closes the files.
/// </summary>
internal static class NsqToFileCommand
{
    public static Command Create()
    {
        var topic = Many("--topic", "nsq topic (may be given multiple times)");
        var topicPattern = new Option<string>("--topic-pattern") { Description = "only log topics matching the following pattern", DefaultValueFactory = _ => string.Empty };
        var topicRefresh = new Option<string>("--topic-refresh") { Description = "how frequently the topic list should be refreshed", DefaultValueFactory = _ => "1m" };
        var channel = new Option<string>("--channel") { Description = "nsq channel", DefaultValueFactory = _ => ToFileSettings.DefaultChannel };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "max number of messages to allow in flight", DefaultValueFactory = _ => ToFileSettings.DefaultMaxInFlight };
        var nsqd = Many("--nsqd-tcp-address", "nsqd TCP address (may be given multiple times)");
        var lookupd = Many("--lookupd-http-address", "lookupd HTTP address (may be given multiple times)");
        var outputDir = new Option<string>("--output-dir") { Description = "directory to write output files to", DefaultValueFactory = _ => ToFileSettings.DefaultOutputDir };
        var workDir = new Option<string>("--work-dir") { Description = "directory for in-progress files before moving to output-dir", DefaultValueFactory = _ => string.Empty };
        var datetimeFormat = new Option<string>("--datetime-format") { Description = "strftime compatible format for <DATETIME> in filename format", DefaultValueFactory = _ => ToFileSettings.DefaultDatetimeFormat };
        var filenameFormat = new Option<string>("--filename-format") { Description = "output filename format (<TOPIC>, <HOST>, <PID>, <DATETIME>, <REV> are replaced. <REV> is increased when file already exists)", DefaultValueFactory = _ => ToFileSettings.DefaultFilenameFormat };
        var hostIdentifier = new Option<string>("--host-identifier") { Description = "value to output in log filename in place of hostname. <SHORT_HOST> and <HOSTNAME> are valid replacement tokens", DefaultValueFactory = _ => string.Empty };
        var gzipLevel = new Option<int>("--gzip-level") { Description = "gzip compression level (1-9, 1=BestSpeed, 9=BestCompression)", DefaultValueFactory = _ => ToFileSettings.DefaultGzipLevel };
        var gzip = new Option<bool>("--gzip") { Description = "gzip output files." };
        var skipEmptyFiles = new Option<bool>("--skip-empty-files") { Description = "skip writing empty files" };
        var rotateSize = new Option<long>("--rotate-size") { Description = "rotate the file when it grows bigger than `rotate-size` bytes", DefaultValueFactory = _ => 0 };
        var rotateInterval = new Option<string>("--rotate-interval") { Description = "rotate the file every duration", DefaultValueFactory = _ => "0s" };
        var syncInterval = new Option<string>("--sync-interval") { Description = "sync file to disk every duration", DefaultValueFactory = _ => "30s" };
        var connectTimeout = new Option<string>("--http-client-connect-timeout") { Description = "timeout for HTTP connect", DefaultValueFactory = _ => "2s" };
        var requestTimeout = new Option<string>("--http-client-request-timeout") { Description = "timeout for HTTP request", DefaultValueFactory = _ => "5s" };
        var logLevel = new Option<string>("--log-level") { Description = "set log verbosity: debug, info, warn, error, or fatal", DefaultValueFactory = _ => "info" };
        var logPrefix = new Option<string>("--log-prefix") { Description = "log message prefix", DefaultValueFactory = _ => "[nsq_to_file] " };
        var version = new Option<bool>("--version") { Description = "print version string" };

        var command = new Command("nsq_to_file", "consumes NSQ topics and writes each message to a file per topic, rotating and moving the files");
        foreach (var option in new Option[]
                 {
                     topic, topicPattern, topicRefresh, channel, maxInFlight, nsqd, lookupd, outputDir, workDir, datetimeFormat,
                     filenameFormat, hostIdentifier, gzipLevel, gzip, skipEmptyFiles, rotateSize, rotateInterval, syncInterval,
                     connectTimeout, requestTimeout, logLevel, logPrefix, version,
                 })
        {
            command.Options.Add(option);
        }
        var connection = new Connection.ConnectionFlags(consumerOpt: true);
        connection.AddTo(command);

        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync("nsq_to_file v1.3.0 (OrleansNsq)");
                return 0;
            }

            if (!ToFileLog.TryParseLevel(parse.GetValue(logLevel)!, out var level))
            {
                await error.WriteLineAsync("--log-level is invalid");
                return 1;
            }

            string? problem;
            ToFileSettings? settings;
            try
            {
                var output = parse.GetValue(outputDir)!;
                var work = parse.GetValue(workDir)!;
                (settings, problem) = Validate(new ToFileSettings
                {
                    Topics = parse.GetValue(topic)!,
                    TopicPattern = parse.GetValue(topicPattern)!,
                    TopicRefresh = GoDuration.Parse(parse.GetValue(topicRefresh)!),
                    Channel = parse.GetValue(channel)!,
                    MaxInFlight = parse.GetValue(maxInFlight),
                    NsqdTcpAddresses = parse.GetValue(nsqd)!,
                    LookupdHttpAddresses = parse.GetValue(lookupd)!,
                    OutputDir = output,
                    WorkDir = work.Length == 0 ? output : work,
                    DatetimeFormat = parse.GetValue(datetimeFormat)!,
                    FilenameFormat = parse.GetValue(filenameFormat)!,
                    HostIdentifier = parse.GetValue(hostIdentifier)!,
                    Gzip = parse.GetValue(gzip),
                    GzipLevel = parse.GetValue(gzipLevel),
                    SkipEmptyFiles = parse.GetValue(skipEmptyFiles),
                    RotateSize = parse.GetValue(rotateSize),
                    RotateInterval = GoDuration.Parse(parse.GetValue(rotateInterval)!),
                    SyncInterval = GoDuration.Parse(parse.GetValue(syncInterval)!),
                    HttpRequestTimeout = GoDuration.Parse(parse.GetValue(requestTimeout)!),
                }, GoDuration.Parse(parse.GetValue(connectTimeout)!));
            }
            catch (FormatException e)
            {
                (settings, problem) = (null, $"invalid duration: {e.Message}");
            }

            var (layers, refused) = connection.Read(parse);
            problem ??= refused;
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }

            var log = new ToFileLog(error, parse.GetValue(logPrefix)!, level);
            return await RunAsync(settings! with { Connection = layers }, log, TimeProvider.System, token);
        });
        return command;
    }

    internal static async Task<int> RunAsync(ToFileSettings settings, ToFileLog log, TimeProvider time, CancellationToken stop)
    {
        var source = settings.NsqdTcpAddresses.Count > 0 ? $"nsqd {string.Join(',', settings.NsqdTcpAddresses)}" : $"lookupd {string.Join(',', settings.LookupdHttpAddresses)}";
        var topics = settings.Topics.Count > 0 ? string.Join(',', settings.Topics) : $"topics matching '{settings.TopicPattern}' (refreshed every {GoDuration.Format(settings.TopicRefresh)})";
        var workDir = settings.WorkDir == settings.OutputDir ? string.Empty : $" via {settings.WorkDir}";
        log.Info($"nsq_to_file v1.3.0 (OrleansNsq): {topics} on channel {settings.Channel} from {source} to {settings.OutputDir}{workDir}, " +
                 $"sync every {GoDuration.Format(settings.SyncInterval)}");
        using var discoverer = new TopicDiscoverer(settings, log, time);
        var code = await discoverer.RunAsync(stop);
        log.Info(code == 0 ? "exiting: every written line is synced and finished" : "exiting after an error");
        return code;
    }

    /// <summary>NSQ's checks in its order, with its messages; then the <c>&lt;REV&gt;</c> rule of the filename format.</summary>
    internal static (ToFileSettings? Settings, string? Problem) Validate(ToFileSettings settings, TimeSpan connectTimeout)
    {
        var problem = settings.Channel.Length == 0 ? "--channel is required"
            : connectTimeout <= TimeSpan.Zero ? "--http-client-connect-timeout should be positive"
            : settings.HttpRequestTimeout <= TimeSpan.Zero ? "--http-client-request-timeout should be positive"
            : settings.NsqdTcpAddresses.Count == 0 && settings.LookupdHttpAddresses.Count == 0 ? "--nsqd-tcp-address or --lookupd-http-address required."
            : settings.NsqdTcpAddresses.Count != 0 && settings.LookupdHttpAddresses.Count != 0 ? "use --nsqd-tcp-address or --lookupd-http-address not both"
            : settings.GzipLevel is < 1 or > 9 ? $"invalid --gzip-level value ({settings.GzipLevel}), should be 1-9"
            : settings.Topics.Count == 0 && settings.TopicPattern.Length == 0 ? "--topic or --topic-pattern required"
            : settings.Topics.Count == 0 && settings.LookupdHttpAddresses.Count == 0 ? "--lookupd-http-address must be specified when no --topic specified"
            : settings.MaxInFlight <= 0 ? "--max-in-flight must be positive"
            : settings.SyncInterval <= TimeSpan.Zero ? "--sync-interval must be positive"
            : settings.Topics.Count == 0 && settings.TopicRefresh <= TimeSpan.Zero ? "--topic-refresh must be positive"
            : !IsRegex(settings.TopicPattern) ? $"invalid --topic-pattern {settings.TopicPattern}"
            : null;
        if (problem is null) FileNameFormat.TryCreate(settings, "topic", Environment.MachineName, Environment.ProcessId, out problem);
        return problem is null ? (settings, null) : (null, problem);
    }

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Option<string[]> Many(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
}
