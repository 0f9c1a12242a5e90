using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Infrastructure;

/// <summary>The steps every nsq_to_http / nsq_to_nsq test shares: wait for the tool's subscription, Ctrl-C, wait for the channel to be drained.</summary>
internal static class RelayRun
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task WaitForSubscriptionAsync(NsqdHttp http, string topic, string channel, ToolProcess tool) =>
        BoundedWait.UntilAsync($"{channel} subscribes to {topic}", "a client on the channel", Timeout, async () =>
        {
            var stats = await http.StatsAsync(topic);
            var clients = stats.Channel(topic, channel) is { } c ? c.GetProperty("clients").GetArrayLength() : 0;
            return (clients > 0, $"{clients} clients");
        }, tool.Describe);

    /// <summary>Ctrl-C, then the exit code must be 0.</summary>
    public static async Task InterruptAndExpectExit0Async(ToolProcess tool)
    {
        tool.Interrupt();
        await tool.WaitForExitAsync(Timeout);
        Assert.True(tool.ExitCode == 0, tool.Describe());
    }

    /// <summary>Every message of the channel was FINed: depth 0, nothing in flight, nothing deferred.</summary>
    public static Task ExpectChannelDrainedAsync(NsqdHttp http, string topic, string channel, ToolProcess tool) =>
        BoundedWait.UntilAsync($"channel {topic}/{channel} drained", "depth 0, in_flight_count 0 and deferred_count 0", Timeout, async () =>
        {
            var stats = await http.StatsAsync(topic);
            if (stats.Channel(topic, channel) is not { } c) return (false, "no channel");
            var depth = c.GetProperty("depth").GetInt64();
            var inFlight = c.GetProperty("in_flight_count").GetInt64();
            // A message the tool REQ'd waits deferred (go-nsq's requeue delay) before it comes back.
            var deferred = c.GetProperty("deferred_count").GetInt64();
            return (depth == 0 && inFlight == 0 && deferred == 0, $"depth {depth}, in flight {inFlight}, deferred {deferred}");
        }, tool.Describe);
}
