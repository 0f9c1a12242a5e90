using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OrleansNsq.Client;
using OrleansNsq.Tools.Upstream;

namespace OrleansNsq.Tools.NsqToNsq;

/// <summary>
/// <c>nsq_to_nsq</c> with NSQ's flags and defaults (apps/nsq_to_nsq): consumes each <c>--topic</c> on <c>--channel</c>
/// and publishes every message to <c>--destination-topic</c> (default: the topic it came from) on one
/// <c>--destination-nsqd-tcp-address</c> picked by <c>--mode</c>. The message is FINed once the destination answered
/// OK and REQed when the publish failed; <c>--require-json-field</c>/<c>--require-json-value</c> drop the others.
/// Ctrl-C finishes the messages in flight and exits 0 with a summary on stderr.
/// </summary>
internal static partial class NsqToNsqCommand
{
    public static Command Create()
    {
        var topic = Repeatable("--topic", "nsq topic (may be given multiple times)");
        var channel = new Option<string>("--channel") { DefaultValueFactory = _ => "nsq_to_nsq", Description = "nsq channel" };
        var destTopic = new Option<string>("--destination-topic") { DefaultValueFactory = _ => "", Description = "use this destination topic for all consumed topics (default is consumed topic name)" };
        var maxInFlight = new Option<int>("--max-in-flight") { DefaultValueFactory = _ => 200, Description = "max number of messages to allow in flight" };
        var statusEvery = new Option<int>("--status-every") { DefaultValueFactory = _ => 250, Description = "the # of requests between logging status (per destination), 0 disables" };
        var mode = new Option<string>("--mode") { DefaultValueFactory = _ => "hostpool", Description = "the upstream request mode options: round-robin, hostpool (default)" };
        var requireField = new Option<string>("--require-json-field") { DefaultValueFactory = _ => "", Description = "for JSON messages: only pass messages that contain this field" };
        var requireValue = new Option<string>("--require-json-value") { DefaultValueFactory = _ => "", Description = "for JSON messages: only pass messages in which the required field has this value" };
        var whitelist = Repeatable("--whitelist-json-field", "for JSON messages: pass this field (may be given multiple times)");
        var destination = Repeatable("--destination-nsqd-tcp-address", "destination nsqd TCP address (may be given multiple times)");
        var nsqd = Repeatable("--nsqd-tcp-address", "nsqd TCP address (may be given multiple times)");
        var lookupd = Repeatable("--lookupd-http-address", "lookupd HTTP address (may be given multiple times)");
        var version = new Option<bool>("--version") { Description = "print version string" };

        var connection = new Connection.ConnectionFlags(consumerOpt: true, producerOpt: true);
        var command = new Command("nsq_to_nsq", "consumes NSQ topics and publishes every message to a destination nsqd");
        foreach (var option in new Option[] { topic, channel, destTopic, maxInFlight, statusEvery, mode, requireField, requireValue, whitelist,
                     destination, nsqd, lookupd, version })
            command.Options.Add(option);
        connection.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync("nsq_to_nsq v1.3.0 (OrleansNsq)");
                return 0;
            }
            var topics = parse.GetValue(topic)!;
            var channelName = parse.GetValue(channel) ?? "";
            var destinationTopic = parse.GetValue(destTopic) ?? "";
            var destinations = parse.GetValue(destination)!;
            var nsqds = parse.GetValue(nsqd)!;
            var lookupds = parse.GetValue(lookupd)!;
            var selected = UpstreamModes.Parse(parse.GetValue(mode));
            var field = parse.GetValue(requireField) ?? "";
            var value = parse.GetValue(requireValue) ?? "";
            var problem = topics.Length == 0 || channelName.Length == 0 ? "--topic and --channel are required"
                : topics.Any(t => !IsValidName(t)) ? "--topic is invalid"
                : destinationTopic.Length > 0 && !IsValidName(destinationTopic) ? "--destination-topic is invalid"
                : !IsValidName(channelName) ? "--channel is invalid"
                : RelayConsumers.CheckSource(nsqds, lookupds)
                ?? (destinations.Length == 0 ? "--destination-nsqd-tcp-address required"
                : selected is null ? "--mode must be round-robin or hostpool"
                : value.Length > 0 && field.Length == 0 ? "--require-json-value requires --require-json-field"
                : parse.GetValue(maxInFlight) <= 0 ? "--max-in-flight must be positive"
                : null);
            var (layers, refused) = connection.Read(parse);
            problem ??= refused;
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }
            var settings = new NsqToNsqSettings
            {
                Connection = layers,
                Topics = topics, Channel = channelName, DestinationTopic = destinationTopic, Destinations = destinations,
                Mode = selected!.Value, MaxInFlight = parse.GetValue(maxInFlight), StatusEvery = parse.GetValue(statusEvery),
                NsqdTcpAddresses = nsqds, LookupdHttpAddresses = lookupds,
                Filter = new JsonFilter(field, value, parse.GetValue(whitelist)!),
            };
            return await RunAsync(settings, error, token);
        });
        return command;
    }

    internal static async Task<int> RunAsync(NsqToNsqSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        var producers = settings.Destinations.Distinct().ToDictionary(a => a,
            a => new NsqProducer(settings.Connection.ApplyTo(new NsqProducerOptions { NsqdTcpAddress = a, UserAgent = NsqToNsqSettings.UserAgent })));
        var pool = new HostPool(settings.Destinations, settings.Mode);
        var aggregate = new TimerMetrics(settings.StatusEvery, "[aggregate]:", error);
        // as nsq_to_nsq: per-destination status only when there is more than one destination
        var perAddress = producers.Keys.ToDictionary(a => a, a => new TimerMetrics(settings.Destinations.Count > 1 ? settings.StatusEvery : 0, $"[{a}]:", error));
        long published = 0, failed = 0, dropped = 0;
        var clock = Stopwatch.StartNew();

        async Task HandleAsync(NsqMessage message, string destinationTopic, CancellationToken token)
        {
            switch (settings.Filter.Apply(message.Body, out var body))
            {
                case JsonFilter.Verdict.Drop:
                    Interlocked.Increment(ref dropped);
                    return;
                case JsonFilter.Verdict.Requeue:
                    lock (error) error.WriteLine("ERROR: missing field to check required value");
                    throw new UpstreamFailedException("missing field to check required value");
            }
            var start = Stopwatch.GetTimestamp();
            var address = pool.Next();
            try
            {
                await producers[address].PublishAsync(destinationTopic, body, token);
            }
            catch (Exception e) when (e is NsqErrorException or NsqConnectionException)
            {
                pool.Mark(address, success: false);
                Interlocked.Increment(ref failed);
                lock (error) error.WriteLine($"ERROR: PUB {destinationTopic} to {address}: {e.Message} - message {message.Id} requeued (attempt {message.Attempts})");
                throw new UpstreamFailedException(e.Message);
            }
            pool.Mark(address, success: true);
            Interlocked.Increment(ref published);
            perAddress[address].Status(start);
            aggregate.Status(start);
        }

        int exitCode;
        long finished, requeued;
        try
        {
            var consumers = settings.Topics.Select(t => settings.ConsumerOptions(t)).ToArray();
            (exitCode, finished, requeued) = await RelayConsumers.RunAsync("nsq_to_nsq", consumers,
                options => (message, token) => HandleAsync(message, settings.DestinationTopicFor(options.Topic), token), error, cancellationToken);
        }
        finally
        {
            foreach (var producer in producers.Values) await producer.DisposeAsync();
        }
        await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"nsq_to_nsq: {published} messages published, {failed} failed, {dropped} dropped by the JSON filter; {finished} finished, {requeued} requeued from topic({string.Join(",", settings.Topics)}) channel({settings.Channel}) in {clock.Elapsed.TotalSeconds:0.000}s"));
        return exitCode;
    }

    /// <summary>NSQ's protocol.IsValidTopicName/IsValidChannelName: 1–64 of <c>[.a-zA-Z0-9_-]</c>, optionally <c>#ephemeral</c>.</summary>
    internal static bool IsValidName(string name) => name.Length is > 0 and <= 64 && ValidName().IsMatch(name);

    [GeneratedRegex(@"^[\.a-zA-Z0-9_-]+(#ephemeral)?$")]
    private static partial Regex ValidName();

    private static Option<string[]> Repeatable(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
}
