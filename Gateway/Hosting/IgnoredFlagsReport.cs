using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansNsq.Gateway.Flags;

namespace OrleansNsq.Gateway.Hosting;

/// <summary>At start, one warning per nsqd flag that was given and has no meaning here (<see cref="Flag.Ignored"/>), so
/// an operator moving an nsqd command line or config file over sees what it no longer does.</summary>
internal sealed partial class IgnoredFlagsReport(IConfiguration configuration, ILogger<IgnoredFlagsReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (flag, value) in NsqFlags.IgnoredGiven(configuration)) Ignored(logger, flag.Name, value, flag.Ignored!);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(6110, LogLevel.Warning, "-{Flag}={Value} is accepted as nsqd takes it, and ignored: {Reason}")]
    private static partial void Ignored(ILogger logger, string flag, string value, string reason);
}
