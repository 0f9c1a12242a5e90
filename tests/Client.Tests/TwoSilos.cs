using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>
/// Two independent single-node Silos (two nsqd addresses), started in parallel once for the whole test assembly; the
/// tests keep apart by unique topic names. The consumer tests over "two connections" use one connection to each.
/// </summary>
public sealed class TwoSilos : IAsyncLifetime
{
    public SiloProcess A { get; private set; } = null!;

    public SiloProcess B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var a = SiloProcess.StartAsync();
        var b = SiloProcess.StartAsync();
        try
        {
            A = await a;
            B = await b;
        }
        catch
        {
            await DisposeStartedAsync(a);
            await DisposeStartedAsync(b);
            throw;
        }
    }

    private static async Task DisposeStartedAsync(Task<SiloProcess> start)
    {
        if (start.IsCompletedSuccessfully)
        {
            await start.Result.DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SilosCollection : ICollectionFixture<TwoSilos>
{
    public const string Name = "two silos";
}

/// <summary>Base of the client tests: unique names, HTTP helpers for both Silos, bounded waits.</summary>
public abstract class ClientTest(TwoSilos silos, ITestOutputHelper output) : IDisposable
{
    private readonly long _markA = silos.A.OutputMark;
    private readonly long _markB = silos.B.OutputMark;

    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    protected TwoSilos Silos { get; } = silos;

    protected NsqdHttp HttpA { get; } = new(silos.A);

    protected NsqdHttp HttpB { get; } = new(silos.B);

    protected ITestOutputHelper Output { get; } = output;

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    protected static ReadOnlyMemory<byte> Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Creates the topic, then the channel on it (nsqd's /channel/create wants the topic first).</summary>
    protected static async Task CreateChannelAsync(NsqdHttp http, string topic, string channel)
    {
        await http.CreateTopicAsync(topic);
        await http.CreateChannelAsync(topic, channel);
    }

    /// <summary>Waits (bounded) until the channel on <paramref name="http"/> has nothing queued or in flight.</summary>
    protected static Task DrainedAsync(NsqdHttp http, string topic, string channel) =>
        BoundedWait.UntilAsync("channel drained", $"{topic}/{channel} depth 0, in flight 0, deferred 0", Wait, async () =>
        {
            var stats = await http.StatsAsync(topic);
            var done = stats.ChannelCounter(topic, channel, "depth") == 0
                       && stats.ChannelCounter(topic, channel, "in_flight_count") == 0
                       && stats.ChannelCounter(topic, channel, "deferred_count") == 0;
            return (done, stats.Describe(topic, channel));
        });

    public void Dispose()
    {
        HttpA.Dispose();
        HttpB.Dispose();
        try
        {
            Output.WriteLine(Silos.A.OutputSince(_markA));
            Output.WriteLine(Silos.B.OutputSince(_markB));
        }
        catch (InvalidOperationException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
