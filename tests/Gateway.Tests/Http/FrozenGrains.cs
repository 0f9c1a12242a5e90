using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>
/// An incoming grain call filter that holds the calls to chosen grains, as a frozen host or one cut off from the
/// caller would: the call arrives and is not answered, and its cancellation is ignored (a partitioned target never
/// acknowledges one). Released when the test disposes its <see cref="Freeze"/>.
/// </summary>
public sealed class FrozenGrains : IIncomingGrainCallFilter
{
    private Freeze? _current;

    /// <summary>Holds every call to a grain of one of <paramref name="interfaces"/> (of the one whose key is
    /// <paramref name="key"/>, when given) from now until the freeze is disposed.</summary>
    public Freeze Hold(Type[] interfaces, string? key = null)
    {
        var freeze = new Freeze(this, interfaces, key);
        Volatile.Write(ref _current, freeze);
        return freeze;
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (Volatile.Read(ref _current) is { } freeze && freeze.Holds(context))
        {
            freeze.Arrived();
            await freeze.Released;
        }
        await context.Invoke();
    }

    public sealed class Freeze(FrozenGrains grains, Type[] interfaces, string? key) : IDisposable
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the first call is held: the request did reach for the cluster.</summary>
        public Task FirstHeld => _arrived.Task;

        internal Task Released => _released.Task;

        internal bool Holds(IIncomingGrainCallContext context) =>
            context.InterfaceMethod?.DeclaringType is { } type && Array.IndexOf(interfaces, type) >= 0
            && (key is null || context.TargetId.Key.ToString() == key);

        internal void Arrived() => _arrived.TrySetResult();

        public void Dispose()
        {
            Interlocked.CompareExchange(ref grains._current, null, this);
            _released.TrySetResult();
        }
    }
}

/// <summary>The HTTP host with a small --publish-timeout and <see cref="FrozenGrains"/> on its silo.</summary>
public sealed class FrozenGrainsHttpApiFixture : HttpApiFixture
{
    /// <summary>Small so the tests are quick; an unbounded call would wait for Orleans' 30 s response timeout.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMilliseconds(500);

    public FrozenGrains Frozen { get; } = new();

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Services.Configure<NsqdOptions>(o => o.PublishTimeout = PublishTimeout);
        // what ISiloBuilder.AddIncomingGrainCallFilter registers: the silo runs every one it finds
        builder.Services.AddSingleton<IIncomingGrainCallFilter>(Frozen);
    }
}

[CollectionDefinition(Name)]
public sealed class FrozenGrainsHttpCollection : ICollectionFixture<FrozenGrainsHttpApiFixture>
{
    public const string Name = "Http with frozen grains";
}
