using Microsoft.Extensions.Hosting;

namespace OrleansNsq.Client.Hosting;

/// <summary>Starts one registered consumer with the host and stops it gracefully (CLS, running handlers finish) with
/// the host's shutdown token.</summary>
internal sealed class NsqConsumerService(NsqConsumer consumer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => consumer.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => consumer.StopAsync(cancellationToken);
}
