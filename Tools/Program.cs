using System.CommandLine;
using OrleansNsq.Tools.Bench;

namespace OrleansNsq.Tools;

/// <summary>NSQ's utilities as one program. This first version holds <c>bench</c> (bench_writer + bench_reader).</summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("OrleansNsq tools: NSQ's utilities, speaking only the NSQ protocol.");
        root.Subcommands.Add(BenchCommand());
        return root.Parse(args).InvokeAsync();
    }

    private static Command BenchCommand()
    {
        var address = new Option<string>("--nsqd-tcp-address") { DefaultValueFactory = _ => "127.0.0.1:4150", Description = "<addr>:<port> of nsqd" };
        var topic = new Option<string>("--topic") { DefaultValueFactory = _ => "sub_bench", Description = "topic" };
        var channel = new Option<string>("--channel") { DefaultValueFactory = _ => "ch", Description = "channel (read)" };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 200, Description = "message size in bytes" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 200, Description = "messages per MPUB (write)" };
        var concurrency = new Option<int>("--concurrency") { DefaultValueFactory = _ => Environment.ProcessorCount, Description = "connections (default: one per CPU, as NSQ's bench)" };
        var runFor = new Option<TimeSpan>("--runfor") { DefaultValueFactory = _ => TimeSpan.FromSeconds(10), Description = "duration (e.g. 00:00:10)", CustomParser = r => ParseDuration(r.Tokens[0].Value) };
        var messages = new Option<long>("--messages") { DefaultValueFactory = _ => 0, Description = "stop after this many messages (0 = run for --runfor)" };
        var rate = new Option<int>("--rate") { DefaultValueFactory = _ => 0, Description = "target msgs/s (pubsub; 0 = as fast as possible)" };
        var rdy = new Option<int>("--rdy") { DefaultValueFactory = _ => 2500, Description = "RDY per connection (read)" };
        var json = new Option<bool>("--json") { Description = "print one JSON line" };

        var bench = new Command("bench", "bench_writer / bench_reader: measure msgs/s over the wire protocol");
        foreach (var (name, run) in new (string, Func<BenchSettings, CancellationToken, Task<BenchResult>>)[]
                 { ("write", BenchWriter.RunAsync), ("read", BenchReader.RunAsync) })
        {
            var command = new Command(name, name == "write" ? "MPUB batches as fast as possible" : "SUB and FIN as fast as possible");
            foreach (var option in new Option[] { address, topic, channel, size, batch, concurrency, runFor, messages, rate, rdy, json })
                command.Options.Add(option);
            command.SetAction(async (parse, token) =>
            {
                var settings = new BenchSettings(parse.GetValue(address)!, parse.GetValue(topic)!, parse.GetValue(channel)!,
                    parse.GetValue(size), parse.GetValue(batch), parse.GetValue(concurrency), parse.GetValue(runFor),
                    parse.GetValue(messages), parse.GetValue(rate), parse.GetValue(rdy), parse.GetValue(json));
                var result = await run(settings, token);
                Console.WriteLine(settings.Json ? result.ToJson() : result.ToText());
                return 0;
            });
            bench.Subcommands.Add(command);
        }
        return bench;
    }

    private static TimeSpan ParseDuration(string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(double.Parse(text[..^2], System.Globalization.CultureInfo.InvariantCulture));
        if (text.EndsWith('s')) return TimeSpan.FromSeconds(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture));
        if (text.EndsWith('m')) return TimeSpan.FromMinutes(double.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture));
        return TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
