using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OrleansNsq.Client;

namespace OrleansNsq.Tools.ToNsq;

/// <summary>
/// <c>to_nsq</c> with NSQ's flags (apps/to_nsq): reads stdin, splits it on <c>--delimiter</c> and publishes each record
/// to <c>--topic</c> on every <c>--nsqd-tcp-address</c>, at most <c>--rate</c> records a second. Exits 0 at the end
/// of the input once every publish was acknowledged, with a one-line summary on stderr.
/// </summary>
internal static class ToNsqCommand
{
    /// <summary>Publishes waiting for their OK at one time (per nsqd); the client pipelines them on one connection.</summary>
    private const int MaxPending = 1024;

    public static Command Create()
    {
        var topic = new Option<string>("--topic") { Description = "NSQ topic to publish to" };
        var delimiter = new Option<string>("--delimiter") { DefaultValueFactory = _ => "\n", Description = "character to split input from stdin" };
        var nsqd = new Option<string[]>("--nsqd-tcp-address") { Description = "destination nsqd TCP address (may be given multiple times)", AllowMultipleArgumentsPerToken = false, DefaultValueFactory = _ => [] };
        var rate = new Option<int>("--rate") { DefaultValueFactory = _ => 0, Description = "Throttle messages to n/second. 0 to disable" };
        var version = new Option<bool>("--version") { Description = "print version string" };

        var connection = new Connection.ConnectionFlags(producerOpt: true);

        var command = new Command("to_nsq", "publishes stdin, split on --delimiter, to an NSQ topic");
        foreach (var option in new Option[] { topic, delimiter, nsqd, rate, version })
            command.Options.Add(option);
        connection.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(version))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync("to_nsq v1.3.0 (OrleansNsq)");
                return 0;
            }
            var topicName = parse.GetValue(topic);
            var delim = parse.GetValue(delimiter) ?? "";
            var addresses = parse.GetValue(nsqd)!;
            var perSecond = parse.GetValue(rate);
            var problem = string.IsNullOrEmpty(topicName) ? "--topic required"
                : delim.Length != 1 || delim[0] > 0x7F ? "--delimiter must be a single byte"
                : perSecond < 0 ? "--rate must not be negative"
                : addresses.Length == 0 ? "--nsqd-tcp-address required"
                : null;
            if (problem is not null)
            {
                await error.WriteLineAsync(problem);
                return 1;
            }
            var (layers, refused) = connection.Read(parse);
            if (refused is not null)
            {
                await error.WriteLineAsync(refused);
                return 1;
            }
            return await RunAsync(topicName!, (byte)delim[0], addresses, perSecond, Console.OpenStandardInput(), error, token, layers);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string topic, byte delimiter, IReadOnlyList<string> addresses, int rate, Stream input,
        TextWriter error, CancellationToken cancellationToken, Connection.ConnectionSettings? connection = null)
    {
        var layers = connection ?? Connection.ConnectionSettings.Plain;
        var producers = addresses.Select(a => new NsqProducer(layers.ApplyTo(new NsqProducerOptions { NsqdTcpAddress = a, ConnectionCount = 1 })))
            .ToArray();
        var pending = new SemaphoreSlim(MaxPending * producers.Length);
        var outstanding = new List<Task>();
        long records = 0, failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        try
        {
            var reader = new RecordReader(input, delimiter);
            while (!cancellationToken.IsCancellationRequested && Volatile.Read(ref failed) == 0)
            {
                byte[]? record;
                try
                {
                    record = await reader.ReadAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break; // Ctrl-C: stop reading, wait for what was sent
                }
                if (record is null) break;
                if (rate > 0)
                {
                    // the n-th record goes out no earlier than n/rate seconds after the start
                    var due = TimeSpan.FromSeconds((double)records / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        try { await Task.Delay(due, cancellationToken); }
                        catch (OperationCanceledException) { break; }
                    }
                }
                records++;
                foreach (var producer in producers)
                {
                    await pending.WaitAsync(CancellationToken.None);
                    outstanding.Add(PublishAsync(producer, record));
                }
                if (outstanding.Count >= 4 * MaxPending) outstanding.RemoveAll(t => t.IsCompleted);
            }
            await Task.WhenAll(outstanding);
        }
        finally
        {
            foreach (var producer in producers) await producer.DisposeAsync();
            pending.Dispose();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"to_nsq: published {records} messages to topic({topic}) on {producers.Length} nsqd in {seconds:0.000}s ({(seconds > 0 ? records / seconds : 0):0} msgs/s), {failed} failed");
        await error.WriteLineAsync(summary);
        if (firstFailure is not null)
        {
            await error.WriteLineAsync($"ERROR: {firstFailure}");
            return 1;
        }
        return 0;

        async Task PublishAsync(NsqProducer producer, byte[] body)
        {
            try
            {
                await producer.PublishAsync(topic, body, CancellationToken.None);
            }
            catch (Exception e) when (e is NsqErrorException or NsqConnectionException)
            {
                if (Interlocked.Increment(ref failed) == 1) firstFailure = e.Message;
            }
            finally
            {
                pending.Release();
            }
        }
    }
}
