using System.CommandLine;
using OrleansNsq.Protocol;
using OrleansNsq.Tools.Connection;

namespace OrleansNsq.Tools.Bench;

/// <summary><c>bench write|read|mixed|syncpub|rdy1|httppub|pubsub</c>: NSQ's bench_writer and bench_reader, alone and together, and the loads users run (with latency).</summary>
internal static class BenchCommand
{
    /// <summary>One bench subcommand and the defaults it differs in.</summary>
    /// <param name="Messages">--messages default (0 = none: the run is bounded by --runfor).</param>
    /// <param name="MessagesYieldToRunFor">An explicit --runfor without --messages drops the default --messages.</param>
    /// <param name="MessagesDescription">--messages help where it means more than a stop count.</param>
    /// <param name="Concurrency">--concurrency default; null = one connection per CPU, as NSQ's bench tools.</param>
    private sealed record Verb(string Name, string Description, Func<BenchSettings, CancellationToken, Task<(string Text, string Json)>> Run,
        long Messages = 0, bool MessagesYieldToRunFor = false, string? MessagesDescription = null, int? Concurrency = null);

    public static Command Create()
    {
        var bench = new Command("bench", "bench_writer / bench_reader and the loads users run: msgs/s and latency over NSQ's TCP protocol or HTTP API");
        var verbs = new Verb[]
        {
            new("write", "MPUB batches as fast as possible", async (s, t) => Report(await BenchWriter.RunAsync(s, t))),
            new("read", "SUB and FIN as fast as possible", async (s, t) => Report(await BenchReader.RunAsync(s, t))),
            new("mixed", "write and read at once on one topic/channel (bench_writer and bench_reader started together); write and read msgs/s",
                async (s, t) => Report(await BenchMixed.RunAsync(s, t))),
            new("syncpub", $"one connection, each PUB waits for its OK (a web handler's publish); msgs/s and round trip p50/p90/p99/max. {BenchSyncPub.WarmUp} PUBs first, not counted",
                async (s, t) => Report(await BenchSyncPub.RunAsync(s, t)), Messages: 5000, MessagesYieldToRunFor: true),
            new("rdy1", "fill the channel with --messages by MPUB (not timed), then ONE consumer at RDY 1 (go-nsq's default max_in_flight) FINs each as it arrives; msgs/s and the FIN → next message gap p50/p90/p99/max",
                async (s, t) => Report(await BenchRdy1.RunAsync(s, t)), Messages: 5000,
                MessagesDescription: "messages to fill the channel with, then consume one at a time (--runfor bounds the consuming)"),
            new("httppub", $"HTTP POST /pub?topic=T, one --size-byte body per request, from --concurrency keep-alive connections (wrk -t2 -c32); requests/s, non-200 count, latency p50/p90/p99/max. {BenchHttpPub.WarmUpPerConnection} requests per connection first, not counted. The client costs 1.4-2x wrk's CPU per request: on 2 cores shared with the server, quote wrk above ~40k req/s (docs/PERFORMANCE.md)",
                async (s, t) => Report(await BenchHttpPub.RunAsync(s, t)), Concurrency: 32,
                MessagesDescription: "stop after this many requests (0 = run for --runfor)"),
            new("pubsub", "publish at --rate and consume at once; end-to-end latency p50/p90/p99/max", async (s, t) => Report(await BenchPubSub.RunAsync(s, t))),
        };
        foreach (var verb in verbs) bench.Subcommands.Add(Create(verb));
        return bench;
    }

    private static Command Create(Verb verb)
    {
        var address = new Option<string>("--nsqd-tcp-address") { DefaultValueFactory = _ => "127.0.0.1:4150", Description = "<addr>:<port> of nsqd" };
        var httpAddress = new Option<string>("--nsqd-http-address") { DefaultValueFactory = _ => "127.0.0.1:4151", Description = "<addr>:<port> of nsqd's HTTP API (httppub)" };
        var topic = new Option<string>("--topic") { DefaultValueFactory = _ => "sub_bench", Description = "topic" };
        var channel = new Option<string>("--channel") { DefaultValueFactory = _ => "ch", Description = "channel (read, mixed, rdy1, pubsub)" };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 200, Description = "message size in bytes" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 200, Description = "messages per MPUB (write, mixed, pubsub; 1 = PUB)" };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => verb.Concurrency ?? Environment.ProcessorCount, Description = "connections (default: one per CPU, as NSQ's bench; mixed and pubsub: this many publishers and as many consumers; httppub: 32 HTTP connections)" };
        var runFor = new Option<TimeSpan>("--runfor") { DefaultValueFactory = _ => TimeSpan.FromSeconds(10), Description = "duration (10s, 500ms, 1m or 00:00:10); with --messages and no --runfor, no time limit", CustomParser = r => GoDuration.Parse(r.Tokens[0].Value) };
        var messages = new Option<long>("--messages") { DefaultValueFactory = _ => verb.Messages, Description = verb.MessagesDescription ?? (verb.MessagesYieldToRunFor ? "stop after this many messages (--runfor alone: run for --runfor)" : "stop after this many messages (0 = run for --runfor)") };
        var rate = new Option<int>("--rate") { DefaultValueFactory = _ => 0, Description = "target msgs/s over all publishers (pubsub; 0 = as fast as possible)" };
        var rdy = new Option<int>("--rdy") { DefaultValueFactory = _ => 2500, Description = "RDY per connection (read, mixed, pubsub)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object on one line" };

        var command = new Command(verb.Name, verb.Description);
        foreach (var option in new Option[] { address, httpAddress, topic, channel, size, batch, concurrency, runFor, messages, rate, rdy, json })
            command.Options.Add(option);
        var connectionFlags = new ConnectionFlags();
        connectionFlags.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var count = parse.GetValue(messages);
            var runForGiven = parse.GetResult(runFor) is { Implicit: false };
            if (verb.MessagesYieldToRunFor && runForGiven && parse.GetResult(messages) is null or { Implicit: true }) count = 0;
            // --messages alone bounds the run by count only; both together stop at whichever comes first.
            var duration = count > 0 && !runForGiven ? Timeout.InfiniteTimeSpan : parse.GetValue(runFor);
            var settings = new BenchSettings(parse.GetValue(address)!, parse.GetValue(topic)!, parse.GetValue(channel)!,
                parse.GetValue(size), Math.Max(1, parse.GetValue(batch)), Math.Max(1, parse.GetValue(concurrency)), duration,
                count, parse.GetValue(rate), parse.GetValue(rdy), parse.GetValue(json), parse.GetValue(httpAddress)!);
            var (layers, error) = connectionFlags.Read(parse);
            if (error is not null)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"[bench {verb.Name}] {error}");
                return 1;
            }
            settings = settings with { Connection = layers };
            try
            {
                var (text, jsonText) = await verb.Run(settings, token);
                await parse.InvocationConfiguration.Output.WriteLineAsync(settings.Json ? jsonText : text);
                return 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"[bench {verb.Name}] interrupted");
                return 130;
            }
        });
        return command;
    }

    private static (string, string) Report(BenchResult result) => (result.ToText(), result.ToJson());

    private static (string, string) Report(MixedResult result) => (result.ToText(), result.ToJson());

    private static (string, string) Report(LatencyResult result) => (result.ToText(), result.ToJson());

    private static (string, string) Report(PubSubResult result) => (result.ToText(), result.ToJson());
}
