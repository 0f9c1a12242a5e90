using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansNsq.Consumers;
using OrleansNsq.Messages;

namespace OrleansNsq.GrainService;

/// <summary>
/// Subscribes first (so the channel exists and receives every message published next), then publishes the bodies in
/// batches, one <see cref="ITopicGrain.PublishAsync"/> call per batch, and FINs what it consumes until it has
/// <see cref="SampleOptions.Expect"/> distinct bodies (or Ctrl-C). Stops the host when done.
/// </summary>
public sealed partial class PublishAndConsumeWorker(
    IClusterClient grains, SampleOptions options, RunSummary result, IHostApplicationLifetime lifetime,
    ILogger<PublishAndConsumeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var consumer = options.Channel is null ? null : await ChannelConsumer.SubscribeAsync(
                grains, options.Topic, options.Channel,
                new ChannelConsumerOptions
                {
                    MaxInFlight = options.MaxInFlight,
                    MsgTimeout = TimeSpan.FromMilliseconds(options.MsgTimeoutMs),
                },
                logger, cancellationToken: stoppingToken);
            if (consumer is not null) Subscribed(logger, options.Topic, options.Channel!, consumer.SubscriberId);

            await PublishAsync(stoppingToken);
            if (consumer is not null) await ConsumeAsync(consumer, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl-C
        }
        catch (Exception ex)
        {
            result.Failed = true;
            Failed(logger, ex);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        var topic = grains.Topic(options.Topic);
        for (var start = 0; start < options.Publish; start += options.Batch)
        {
            var count = Math.Min(options.Batch, options.Publish - start);
            var bodies = new byte[count][];
            for (var i = 0; i < count; i++) bodies[i] = Encoding.UTF8.GetBytes(options.Prefix + (start + i));
            // One grain call per batch: the bodies travel as one array, passed by reference (Immutable<>) when the
            // topic's grain lives in the same process. It completes when every channel of the topic has the batch.
            await topic.PublishAsync(new(PublishBatch.From(bodies)), cancellationToken);
            result.AddPublished(count);
            Published(logger, count, options.Topic, start + count, options.Publish);
        }
    }

    private async Task ConsumeAsync(ChannelConsumer consumer, CancellationToken cancellationToken)
    {
        var finished = new HashSet<string>();
        await foreach (var message in consumer.ReadAllAsync(cancellationToken))
        {
            result.AddReceived();
            var body = Encoding.UTF8.GetString(message.Body.Span);
            // Do the work here; FIN when it is done. REQ (consumer.Req) hands it back for another attempt, TOUCH
            // (consumer.Touch) asks for more time. All three are queued and reach the channel grain in batches.
            if (consumer.Fin(message) && finished.Add(body))
            {
                if (options.PrintBodies) Console.Out.WriteLine(body);
                result.SetFinished(finished.Count);
                if (finished.Count % 100 == 0 || finished.Count == options.Expect)
                    Finished(logger, finished.Count, consumer.Topic, consumer.Channel, message.Attempts);
                if (finished.Count == options.Expect) break;
            }
        }
        await consumer.FlushAsync();
        if (consumer.ChannelDeleted) ChannelWasDeleted(logger, consumer.Topic, consumer.Channel);
    }

    [LoggerMessage(1, LogLevel.Information, "Subscribed to {Topic}/{Channel} as {SubscriberId}")]
    private static partial void Subscribed(ILogger logger, string topic, string channel, Guid subscriberId);

    [LoggerMessage(2, LogLevel.Information, "Published {Count} messages to {Topic} ({Done} of {Total})")]
    private static partial void Published(ILogger logger, int count, string topic, int done, int total);

    [LoggerMessage(3, LogLevel.Information, "Finished {Count} messages of {Topic}/{Channel} (last attempts {Attempts})")]
    private static partial void Finished(ILogger logger, int count, string topic, string channel, ushort attempts);

    [LoggerMessage(4, LogLevel.Warning, "Channel {Topic}/{Channel} was deleted; stopping")]
    private static partial void ChannelWasDeleted(ILogger logger, string topic, string channel);

    [LoggerMessage(5, LogLevel.Error, "The service failed")]
    private static partial void Failed(ILogger logger, Exception ex);
}
