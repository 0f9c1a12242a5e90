using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Grains.Channels;

namespace OrleansNsq.Grains.Storage.Log;

public static class MessageLogServiceCollectionExtensions
{
    /// <summary>Puts the message log on <paramref name="store"/>: topics and channels then persist their messages and
    /// cursors and rebuild them on activation. Without it (tests on memory storage) messages live in memory only.
    /// Called by AddEmbeddedNsqStore and AddPostgresNsqStore.</summary>
    public static IServiceCollection AddNsqMessageLog(this IServiceCollection services, Func<IServiceProvider, IMessageLogStore> store)
    {
        services.TryAddSingleton(store);
        // Written behind (--mem-queue-size above 0) the writer gathers for a moment after idling; durable, it does not.
        services.TryAddSingleton(provider => new MessageLog(provider.GetRequiredService<IMessageLogStore>(),
            provider.GetRequiredService<ILogger<MessageLog>>(),
            provider.GetService<IOptions<ChannelOptions>>()?.Value.MemQueueSize > 0 ? MessageLog.WriteBehindGatherDelay : TimeSpan.Zero,
            provider.GetService<TimeProvider>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MessageLogLifecycle>();
        return services;
    }
}
