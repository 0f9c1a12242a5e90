using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansNsq.Grains.Storage.Log;

public static class MessageLogServiceCollectionExtensions
{
    /// <summary>Puts the message log on <paramref name="store"/>: topics and channels then persist their messages and
    /// cursors and rebuild them on activation. Without it (tests on memory storage) messages live in memory only.
    /// Called by AddEmbeddedNsqStore and AddPostgresNsqStore.</summary>
    public static IServiceCollection AddNsqMessageLog(this IServiceCollection services, Func<IServiceProvider, IMessageLogStore> store)
    {
        services.TryAddSingleton(store);
        services.TryAddSingleton<MessageLog>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MessageLogLifecycle>();
        return services;
    }
}
