using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansNsq.Client.Diagnostics;

/// <summary>
/// A consumer is healthy while it is subscribed on every direct nsqd it was given (and on at least one nsqd at all),
/// degraded while some direct nsqd is missing, unhealthy with none. Data: the connected nsqds, messages in flight,
/// whether it is backing off.
/// </summary>
public sealed class NsqConsumerHealthCheck(NsqConsumer consumer, IReadOnlyCollection<string>? expectedNsqds = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var connected = consumer.ConnectedNsqds;
        var data = new Dictionary<string, object>
        {
            ["connected"] = string.Join(",", connected),
            ["in_flight"] = consumer.MessagesInFlight,
            ["in_backoff"] = consumer.IsInBackoff,
        };
        var missing = (expectedNsqds ?? []).Except(connected, StringComparer.Ordinal).ToArray();
        var result = connected.Count == 0
            ? new HealthCheckResult(context.Registration.FailureStatus, "connected to no nsqd", data: data)
            : missing.Length > 0
                ? HealthCheckResult.Degraded($"not connected to {string.Join(", ", missing)}", data: data)
                : HealthCheckResult.Healthy($"connected to {connected.Count} nsqd", data);
        return Task.FromResult(result);
    }
}

/// <summary>A producer is healthy when it has an open connection or can open one now (the check dials when all its
/// connections are closed, as the next publish would); unhealthy with the dial's error otherwise.</summary>
public sealed class NsqProducerHealthCheck(NsqProducer producer) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (producer.OpenConnections > 0)
        {
            return HealthCheckResult.Healthy($"{producer.OpenConnections} connections open");
        }

        try
        {
            await producer.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{producer.OpenConnections} connections open");
        }
        catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "cannot reach nsqd", e);
        }
    }
}

/// <summary>Health check registrations for the producer and the consumers registered in DI; add them with
/// <c>services.AddHealthChecks().Add(NsqHealthChecks.Consumer("billing"))</c>.</summary>
public static class NsqHealthChecks
{
    /// <summary>The DI producer (<c>AddNsqProducer</c>), checked as <see cref="NsqProducerHealthCheck"/>.</summary>
    public static HealthCheckRegistration Producer(string name = "nsq-producer", HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        new(name, sp => new NsqProducerHealthCheck(sp.GetRequiredService<NsqProducer>()), failureStatus, ["nsq"]);

    /// <summary>The keyed consumer <paramref name="consumerName"/> (<c>AddNsqConsumer</c>), checked as
    /// <see cref="NsqConsumerHealthCheck"/> against its direct nsqd addresses.</summary>
    public static HealthCheckRegistration Consumer(string consumerName, HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        new($"nsq-consumer-{consumerName}", sp =>
        {
            var consumer = sp.GetRequiredKeyedService<NsqConsumer>(consumerName);
            return new NsqConsumerHealthCheck(consumer, consumer.DirectNsqds);
        }, failureStatus, ["nsq"]);
}
