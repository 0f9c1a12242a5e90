using System.CommandLine;
using System.Text;
using OrleansNsq.Client;

namespace OrleansNsq.Tools.Tail;

/// <summary>
/// <c>nsq_tail</c> with NSQ's flags (apps/nsq_tail): consumes <c>--topic</c> on <c>--channel</c> (an ephemeral
/// <c>tail&lt;random&gt;#ephemeral</c> channel by default) and prints each message body and a newline to stdout.
/// <c>-n</c> exits after that many messages; Ctrl-C finishes the messages in flight and exits 0.
/// </summary>
internal static class NsqTailCommand
{
    public static Command Create()
    {
        var topic = new Option<string>("--topic") { Description = "NSQ topic" };
        var channel = new Option<string>("--channel") { Description = "NSQ channel" };
        var maxInFlight = new Option<int>("--max-in-flight") { DefaultValueFactory = _ => 200, Description = "max number of messages to allow in flight" };
        var total = new Option<int>("--n", "-n") { DefaultValueFactory = _ => 0, Description = "total messages to show (will wait if starved)" };
        var printTopic = new Option<bool>("--print-topic") { Description = "print topic name where message was received" };
        var nsqd = new Option<string[]>("--nsqd-tcp-address") { Description = "nsqd TCP address (may be given multiple times)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var lookupd = new Option<string[]>("--lookupd-http-address") { Description = "lookupd HTTP address (may be given multiple times)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var version = new Option<bool>("--version") { Description = "print version string" };

        var connection = new Connection.ConnectionFlags(consumerOpt: true);

        var command = new Command("nsq_tail", "consumes an NSQ topic and prints each message to stdout");
        foreach (var option in new Option[] { topic, channel, maxInFlight, total, printTopic, nsqd, lookupd, version })
            command.Options.Add(option);
        connection.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync("nsq_tail v1.3.0 (OrleansNsq)");
                return 0;
            }
            var topicName = parse.GetValue(topic);
            var nsqds = parse.GetValue(nsqd)!;
            var lookupds = parse.GetValue(lookupd)!;
            var count = parse.GetValue(total);
            var inFlight = parse.GetValue(maxInFlight);
            var problem = string.IsNullOrEmpty(topicName) ? "--topic is required"
                : nsqds.Length == 0 && lookupds.Length == 0 ? "--nsqd-tcp-address or --lookupd-http-address required"
                : lookupds.Any(a => a.StartsWith("http", StringComparison.Ordinal)) ? "--lookupd-http-address error - address should not contain scheme"
                : count < 0 ? "--n must not be negative"
                : inFlight <= 0 ? "--max-in-flight must be positive"
                : null;
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }
            var channelName = parse.GetValue(channel);
            if (string.IsNullOrEmpty(channelName)) channelName = $"tail{Random.Shared.Next(999_999):D6}#ephemeral";
            // as nsq_tail: no more in flight than messages wanted
            if (count > 0 && count < inFlight) inFlight = count;
            var options = new NsqConsumerOptions
            {
                Topic = topicName!, Channel = channelName, MaxInFlight = inFlight,
                NsqdTcpAddresses = nsqds.ToList(), LookupdHttpAddresses = lookupds.ToList(),
            };
            var (layers, refused) = connection.Read(parse);
            if (refused is not null)
            {
                await error.WriteLineAsync(refused);
                return 1;
            }
            layers.ApplyTo(options);
            using var stdout = Console.OpenStandardOutput();
            return await RunAsync(options, count, parse.GetValue(printTopic), stdout, error, token);
        });
        return command;
    }

    internal static async Task<int> RunAsync(NsqConsumerOptions options, int total, bool printTopic, Stream output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var gate = new object();
        var shown = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var prefix = Encoding.UTF8.GetBytes(options.Topic + " | ");
        var consumer = new NsqConsumer(options, async (message, _) =>
        {
            lock (gate)
            {
                if (total > 0 && shown >= total)
                {
                    // beyond -n: give it back at once for another consumer of the channel
                    message.DisableAutoResponse();
                }
                else
                {
                    if (printTopic) output.Write(prefix);
                    output.Write(message.Body.Span);
                    output.WriteByte((byte)'\n');
                    output.Flush();
                    if (++shown == total) enough.TrySetResult();
                    return;
                }
            }
            await message.RequeueAsync(TimeSpan.Zero, backoff: false, CancellationToken.None);
        });
        try
        {
            try
            {
                await consumer.StartAsync(cancellationToken);
                await enough.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C / SIGTERM: finish what is in flight and exit 0
            }
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await consumer.StopAsync(bound.Token);
            return 0;
        }
        catch (Exception e) when (e is NsqErrorException or NsqConnectionException or HttpRequestException)
        {
            await error.WriteLineAsync($"ERROR: {e.Message}");
            return 1;
        }
        finally
        {
            await consumer.DisposeAsync();
        }
    }
}
