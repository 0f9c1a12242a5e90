using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansNsq.Client.Diagnostics;
using OrleansNsq.Client.Hosting;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>The hosted consumer (<c>AddNsqConsumer&lt;THandler, T&gt;</c>) in a real host against a Silo: options
/// from configuration, validated on start, one DI scope per message, MaxInFlight handlers at once.</summary>
[Collection(SilosCollection.Name)]
public sealed class HostedConsumerTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    /// <summary>What the test sees of the handlers (a singleton).</summary>
    public sealed class Recorder
    {
        public readonly ConcurrentDictionary<string, Guid> ScopeByOrder = new();
        public readonly ConcurrentQueue<int> PoisonAttempts = new();
        public readonly TaskCompletionSource TenRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Running;
    }

    /// <summary>A scoped dependency: one per DI scope.</summary>
    public sealed class ScopeProbe
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    public sealed class BillingHandler(Recorder recorder, ScopeProbe scope) : INsqHandler<Order>
    {
        public async Task HandleAsync(Order payload, NsqMessage message, CancellationToken cancellationToken)
        {
            if (payload.Id == "poison")
            {
                recorder.PoisonAttempts.Enqueue(message.Attempts);
                throw new InvalidOperationException("cannot bill");
            }

            if (Interlocked.Increment(ref recorder.Running) == 10)
            {
                recorder.TenRunning.TrySetResult();
            }

            // the first ten wait for each other: only MaxInFlight = 10 handlers running at once get past this
            await recorder.TenRunning.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
            Interlocked.Decrement(ref recorder.Running);
            recorder.ScopeByOrder[payload.Id] = scope.Id;
        }
    }

    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<Recorder>();
        builder.Services.AddScoped<ScopeProbe>();
        builder.Services.AddNsqConsumer<BillingHandler, Order>("billing", TestJson.Default.Order)
            .Bind(builder.Configuration.GetSection("Nsq:Consumers:Billing"));
        return builder;
    }

    [Fact]
    public async Task Hosted_consumer_runs_ten_handlers_each_in_its_own_scope_and_parks_after_three_attempts()
    {
        var (topic, channel, parked) = (Unique("hosted"), Unique("ch"), Unique("hosted-parked"));
        await CreateChannelAsync(HttpA, topic, channel);
        await using (var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = Silos.A.TcpAddress, ConnectionCount = 1 }))
        {
            await producer.MultiPublishAsync(topic, Enumerable.Range(0, 30).Select(i => new Order($"o-{i}", i + 1, [])), TestJson.Default.Order);
            await producer.PublishAsync(topic, new Order("poison", 1, []), TestJson.Default.Order);
        }

        using var host = Builder(new()
        {
            ["Nsq:Consumers:Billing:Topic"] = topic,
            ["Nsq:Consumers:Billing:Channel"] = channel,
            ["Nsq:Consumers:Billing:NsqdTcpAddresses:0"] = Silos.A.TcpAddress,
            ["Nsq:Consumers:Billing:MaxInFlight"] = "10",
            ["Nsq:Consumers:Billing:MaxAttempts"] = "3",
            ["Nsq:Consumers:Billing:DeadLetterTopic"] = parked,
            ["Nsq:Consumers:Billing:DefaultRequeueDelay"] = "00:00:00",
            ["Nsq:Consumers:Billing:BackoffMultiplier"] = "00:00:00.010",
        }).Build();
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<Recorder>();
        var consumer = host.Services.GetRequiredKeyedService<NsqConsumer>("billing");

        await BoundedWait.ForAsync(recorder.TenRunning.Task, "ten handlers running at once", Wait);
        await BoundedWait.UntilAsync("all billed, poison parked", "30 orders, 1 parked", Wait, () => Task.FromResult(
            (recorder.ScopeByOrder.Count == 30 && consumer.MessagesDeadLettered == 1, $"{recorder.ScopeByOrder.Count} billed, {consumer.MessagesDeadLettered} parked")));
        await DrainedAsync(HttpA, topic, channel);
        Assert.Equal(30, recorder.ScopeByOrder.Values.Distinct().Count());
        Assert.Equal([1, 2, 3], recorder.PoisonAttempts);
        Assert.Equal(1, (await HttpA.StatsAsync(parked)).TopicCounter(parked, "message_count"));

        var health = NsqHealthChecks.Consumer("billing");
        var result = await health.Factory(host.Services).CheckHealthAsync(new HealthCheckContext { Registration = health });
        Assert.Equal(HealthStatus.Healthy, result.Status);

        await host.StopAsync();
        Assert.Empty(consumer.ConnectedNsqds);
    }

    [Fact]
    public async Task Hosted_consumer_with_bad_options_fails_the_host_start_naming_them()
    {
        using var host = Builder(new()
        {
            ["Nsq:Consumers:Billing:Topic"] = "bad/topic",
            ["Nsq:Consumers:Billing:NsqdTcpAddresses:0"] = "nohost",
            ["Nsq:Consumers:Billing:MaxAttempts"] = "0",
            ["Nsq:Consumers:Billing:DeadLetterTopic"] = "parked",
        }).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("NsqConsumerOptions 'billing': Topic 'bad/topic' is not a valid NSQ topic name", error.Message);
        Assert.Contains("Channel '' is not a valid NSQ channel name", error.Message);
        Assert.Contains("'nohost' is not host:port", error.Message);
        Assert.Contains("DeadLetterTopic needs MaxAttempts above 0", error.Message);
    }
}
