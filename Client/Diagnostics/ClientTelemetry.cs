using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansNsq.Client.Diagnostics;

/// <summary>
/// The client's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>, following
/// OpenTelemetry's messaging conventions: spans <c>publish {topic}</c> (Producer), <c>process {topic}</c> (Consumer,
/// around a handler) and <c>receive {topic}</c> (Consumer, a message handed to a stream reader), tagged
/// <c>messaging.system = nsq</c>, <c>messaging.destination.name</c> (topic), <c>messaging.consumer.group.name</c>
/// (channel), <c>messaging.message.id</c>, <c>server.address</c>/<c>server.port</c>. docs/CLIENT.md lists the instruments.
/// </summary>
public static class ClientTelemetry
{
    /// <summary>The ActivitySource and Meter name: <c>OrleansNsq.Client</c>.</summary>
    public const string Name = "OrleansNsq.Client";

    private static readonly string? Version = typeof(ClientTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(Name, Version);

    private static readonly Meter Meter = new(Name, Version);

    private static readonly Counter<long> Sent = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Messages the producer published (PUB, MPUB, DPUB), with error.type when nsqd did not take them");

    private static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "messaging.client.operation.duration", "s", "Time from a publish call to nsqd's answer");

    private static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Messages the consumer received");

    private static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram<double>(
        "messaging.process.duration", "s", "Time a handler took, with error.type when it failed");

    private static readonly Counter<long> Requeued = Meter.CreateCounter<long>(
        "nsq.client.messages.requeued", "{message}", "REQs the consumer sent");

    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        "nsq.client.messages.dead_lettered", "{message}", "Messages parked in the dead-letter topic on their last failed attempt");

    private static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>(
        "nsq.client.connections", "{connection}", "Open connections to nsqd, by server.address and nsq.client.role (producer or consumer)");

    /// <summary>A publish span, not made the caller's current activity (it ends in the publish's own flow).</summary>
    internal static Activity? StartPublish(string topic, string operation, int count, string address)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity($"publish {topic}", ActivityKind.Producer);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "nsq");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.destination.name", topic);
            if (count != 1)
            {
                activity.SetTag("messaging.batch.message_count", count);
            }

            SetServer(activity, address);
        }

        return activity;
    }

    /// <summary>Ends a publish span and counts it.</summary>
    internal static void EndPublish(Activity? activity, string topic, string operation, int count, long startTimestamp, Exception? error)
    {
        var tags = new TagList { { "messaging.system", "nsq" }, { "messaging.operation.name", operation }, { "messaging.destination.name", topic } };
        if (error is not null)
        {
            tags.Add("error.type", ErrorType(error));
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.SetTag("error.type", ErrorType(error));
        }

        Sent.Add(count, tags);
        OperationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        activity?.Dispose();
    }

    /// <summary>The span around a handler, a child of the publisher's context when the body carried one.</summary>
    internal static Activity? StartProcess(string topic, string channel, NsqMessage message, ActivityKind kind = ActivityKind.Consumer, string operation = "process")
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"{operation} {topic}", kind, message.TraceContext);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "nsq");
            activity.SetTag("messaging.operation.type", operation);
            activity.SetTag("messaging.destination.name", topic);
            activity.SetTag("messaging.consumer.group.name", channel);
            activity.SetTag("messaging.message.id", message.Id);
            activity.SetTag("messaging.message.body.size", message.Body.Length);
            activity.SetTag("nsq.message.attempts", message.Attempts);
            SetServer(activity, message.NsqdAddress);
        }

        return activity;
    }

    /// <summary>A zero-length receive span for a message handed to a stream reader (it is not the reader's current
    /// activity: the reader parents its own work on <see cref="NsqMessage.TraceContext"/>).</summary>
    internal static void Received(string topic, string channel, NsqMessage message)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        StartProcess(topic, channel, message, ActivityKind.Consumer, "receive")?.Dispose();
        Activity.Current = previous;
    }

    internal static void EndProcess(Activity? activity, string topic, string channel, long startTimestamp, Exception? error)
    {
        var tags = new TagList { { "messaging.system", "nsq" }, { "messaging.destination.name", topic }, { "messaging.consumer.group.name", channel } };
        if (error is not null)
        {
            tags.Add("error.type", ErrorType(error));
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.SetTag("error.type", ErrorType(error));
        }

        ProcessDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        activity?.Dispose();
    }

    internal static void CountConsumed(string topic, string channel) =>
        Consumed.Add(1, new TagList { { "messaging.system", "nsq" }, { "messaging.destination.name", topic }, { "messaging.consumer.group.name", channel } });

    internal static void CountRequeued(string topic, string channel) =>
        Requeued.Add(1, new TagList { { "messaging.system", "nsq" }, { "messaging.destination.name", topic }, { "messaging.consumer.group.name", channel } });

    internal static void CountDeadLettered(string topic, string channel) =>
        DeadLettered.Add(1, new TagList { { "messaging.system", "nsq" }, { "messaging.destination.name", topic }, { "messaging.consumer.group.name", channel } });

    internal static void CountConnection(string address, string role, NsqConnectionState state)
    {
        if (state != NsqConnectionState.Reconnecting)
        {
            Connections.Add(state == NsqConnectionState.Connected ? 1 : -1,
                new TagList { { "messaging.system", "nsq" }, { "server.address", address }, { "nsq.client.role", role } });
        }
    }

    private static string ErrorType(Exception error) => error is NsqErrorException nsq ? nsq.Code : error.GetType().FullName ?? error.GetType().Name;

    private static void SetServer(Activity activity, string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon > 0 && int.TryParse(address.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port))
        {
            activity.SetTag("server.address", address[..colon].Trim('[', ']'));
            activity.SetTag("server.port", port);
        }
    }
}
