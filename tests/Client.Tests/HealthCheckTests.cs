using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansNsq.Client.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>The producer's and the consumer's health checks, against fake nsqds.</summary>
public sealed class HealthCheckTests
{
    private static Task<HealthCheckResult> CheckAsync(IHealthCheck check) =>
        check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("nsq", check, HealthStatus.Unhealthy, null) });

    [Fact]
    public async Task Consumer_is_unhealthy_before_start_degraded_without_one_of_its_nsqds_healthy_with_all()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var fake = new FakeNsqd();
        var down = $"127.0.0.1:{FreePorts.Take(1)[0]}";
        string[] nsqds = [fake.Address, down];
        await using var consumer = new NsqConsumer(new NsqConsumerOptions { Topic = "t", Channel = "c", NsqdTcpAddresses = nsqds },
            (_, _) => Task.CompletedTask, null, new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var check = new NsqConsumerHealthCheck(consumer, consumer.DirectNsqds);

        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);

        var start = consumer.StartAsync(timeout.Token);
        using var session = await fake.AcceptAsync(timeout.Token);
        await session.ServeUntilAsync("RDY", timeout.Token);
        await start;
        var degraded = await CheckAsync(check);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal($"not connected to {down}", degraded.Description);
        Assert.Equal(fake.Address, degraded.Data["connected"]);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(new NsqConsumerHealthCheck(consumer, [fake.Address]))).Status);
    }

    [Fact]
    public async Task Producer_is_healthy_when_it_can_reach_nsqd_and_unhealthy_with_the_error_when_not()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using (var unreachable = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = $"127.0.0.1:{FreePorts.Take(1)[0]}", ConnectionCount = 1 }))
        {
            var result = await CheckAsync(new NsqProducerHealthCheck(unreachable));
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.IsType<NsqConnectionException>(result.Exception);
        }

        using var fake = new FakeNsqd();
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = fake.Address, ConnectionCount = 1 });
        var check = CheckAsync(new NsqProducerHealthCheck(producer)); // dials: nothing was open
        using var session = await fake.AcceptAsync(timeout.Token);
        _ = session.ServeUntilAsync("never", timeout.Token);
        Assert.Equal(HealthStatus.Healthy, (await check).Status);
        Assert.Equal(1, producer.OpenConnections);
    }
}
