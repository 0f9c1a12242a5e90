using System.Text;
using OrleansNsq.Client;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Infrastructure;

/// <summary>Reads the bodies published to a topic (through a channel made before they arrived) with the .NET client.</summary>
internal static class TopicReader
{
    /// <summary>Consumes until <paramref name="count"/> messages arrived (bounded), then waits <paramref name="quiet"/> for any extra one.</summary>
    public static async Task<List<string>> ReadAsync(string nsqdTcpAddress, string topic, string channel, int count, TimeSpan quiet, Func<string> context)
    {
        var bodies = new List<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new NsqConsumer(new NsqConsumerOptions
        {
            Topic = topic, Channel = channel, NsqdTcpAddresses = [nsqdTcpAddress], MaxInFlight = 100,
        }, (message, _) =>
        {
            lock (bodies)
            {
                bodies.Add(Encoding.UTF8.GetString(message.Body.Span));
                if (bodies.Count >= count) enough.TrySetResult();
            }
            return Task.CompletedTask;
        });
        await consumer.StartAsync();
        try
        {
            await BoundedWait.ForAsync(enough.Task, $"read {count} messages from {topic}/{channel}", RelayRun.Timeout);
        }
        catch (TimeoutException e)
        {
            lock (bodies) throw new TimeoutException($"{e.Message}; got {bodies.Count}: {string.Join(" | ", bodies)}{Environment.NewLine}{context()}");
        }
        await Task.Delay(quiet); // a duplicate would arrive within this window; the assertion on the count catches it
        lock (bodies) return bodies.ToList();
    }
}
