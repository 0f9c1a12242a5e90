using System.Globalization;

namespace OrleansNsq.GrainService;

/// <summary>The sample's command line: where the cluster is, and what to publish and consume.</summary>
public sealed class SampleOptions
{
    public const string HelpText = """
        OrleansNsq.GrainService: a .NET service on OrleansNsq's grain API (docs/GRAIN-API.md). It publishes to a topic
        through ITopicGrain and consumes a channel through ChannelConsumer, side by side with NSQ clients.

        Usage: dotnet run --project samples/GrainService -- --topic T [options]

        Where the silos are (an Orleans client):
          --gateway-port N          a single-node Silo on localhost: its --gateway-port (default 30000)
          --cluster postgres        find the silos in the membership table instead
          --cluster-connection S    Npgsql connection string of the membership table (with --cluster postgres)
          --cluster-id ID           default orleans-nsq
          --service-id ID           default orleans-nsq

        What to do:
          --topic T                 the topic (required)
          --publish N               publish N messages, bodies <prefix>0 .. <prefix>N-1 (default 0)
          --batch N                 messages per ITopicGrain.PublishAsync call (default 100)
          --prefix P                body prefix (default msg-)
          --channel C               consume channel C of the topic (default: do not consume)
          --expect N                stop after N distinct bodies are FIN'd (default 0: until Ctrl-C)
          --max-in-flight N         the consumer's RDY (default 100)
          --msg-timeout-ms N        the consumer's msg_timeout (default 0: the node's --msg-timeout)
          --print-bodies            write each consumed body on stdout, one per line
          --help                    this text

        Logs go to stderr; the last stdout line is a JSON summary: {"published":N,"finished":N,"received":N}.
        Exit code: 0 done, 1 failed, 2 bad arguments.
        """;

    public int GatewayPort { get; private set; } = 30000;
    public string? Cluster { get; private set; }
    public string? ClusterConnection { get; private set; }
    public string ClusterId { get; private set; } = "orleans-nsq";
    public string ServiceId { get; private set; } = "orleans-nsq";
    public string Topic { get; private set; } = "";
    public int Publish { get; private set; }
    public int Batch { get; private set; } = 100;
    public string Prefix { get; private set; } = "msg-";
    public string? Channel { get; private set; }
    public int Expect { get; private set; }
    public int MaxInFlight { get; private set; } = 100;
    public int MsgTimeoutMs { get; private set; }
    public bool PrintBodies { get; private set; }
    public bool Help { get; private set; }

    public bool InCluster => Cluster is not null;

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c>; returns the error text, or null.</summary>
    public static (SampleOptions Options, string? Error) Parse(string[] args)
    {
        var options = new SampleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) return (options, $"unexpected argument '{arg}'");
            var eq = arg.IndexOf('=');
            var name = eq < 0 ? arg[2..] : arg[2..eq];
            switch (name)
            {
                case "help":
                    options.Help = true;
                    continue;
                case "print-bodies":
                    options.PrintBodies = true;
                    continue;
            }
            string value;
            if (eq >= 0) value = arg[(eq + 1)..];
            else if (i + 1 < args.Length) value = args[++i];
            else return (options, $"--{name} needs a value");

            var error = options.Set(name, value);
            if (error is not null) return (options, error);
        }
        return (options, options.Help ? null : options.Validate());
    }

    private string? Set(string name, string value)
    {
        switch (name)
        {
            case "gateway-port": return Int(name, value, 1, 65535, v => GatewayPort = v);
            case "cluster": Cluster = value; return null;
            case "cluster-connection": ClusterConnection = value; return null;
            case "cluster-id": ClusterId = value; return null;
            case "service-id": ServiceId = value; return null;
            case "topic": Topic = value; return null;
            case "publish": return Int(name, value, 0, int.MaxValue, v => Publish = v);
            case "batch": return Int(name, value, 1, 10_000, v => Batch = v);
            case "prefix": Prefix = value; return null;
            case "channel": Channel = value; return null;
            case "expect": return Int(name, value, 0, int.MaxValue, v => Expect = v);
            case "max-in-flight": return Int(name, value, 1, 2500, v => MaxInFlight = v);
            case "msg-timeout-ms": return Int(name, value, 0, int.MaxValue, v => MsgTimeoutMs = v);
            default: return $"unknown flag --{name}";
        }
    }

    private static string? Int(string name, string value, int min, int max, Action<int> set)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            return $"--{name} must be an integer from {min} to {max}, not '{value}'";
        set(v);
        return null;
    }

    private string? Validate()
    {
        if (Topic.Length == 0) return "--topic is required";
        if (Cluster is not null && !string.Equals(Cluster, "postgres", StringComparison.OrdinalIgnoreCase))
            return "--cluster must be postgres (or absent for a single-node Silo on localhost)";
        if (Cluster is not null && string.IsNullOrWhiteSpace(ClusterConnection))
            return "--cluster-connection is required with --cluster postgres";
        if (Publish == 0 && Channel is null) return "nothing to do: give --publish N and/or --channel C";
        return null;
    }
}
