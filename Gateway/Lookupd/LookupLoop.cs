using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// nsqd's lookupLoop: one <see cref="LookupPeer"/> per <c>--lookupd-tcp-address</c> (duplicates once), started when
/// the host has started, so the identity carries the bound ports.
/// </summary>
internal sealed class LookupLoop(
    IOptions<NsqdOptions> options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<LookupLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var addresses = options.Value.LookupdTcpAddresses.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (addresses.Length == 0) return;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        services.PublishBoundPorts(); // the host does it too; whichever ApplicationStarted callback runs first
        var grains = services.GetRequiredService<IGrainFactory>();
        var node = services.GetRequiredService<NodeIdentity>();
        await Task.WhenAll(addresses.Select(address =>
            new LookupPeer(address, grains, node, options, time, logger).RunAsync(stoppingToken)));
    }
}
