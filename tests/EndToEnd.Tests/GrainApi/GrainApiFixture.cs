using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.GrainApi;

/// <summary>One Silo process and this test process as an Orleans client of it (its --gateway-port), as a .NET service
/// using the grain API would be.</summary>
public sealed class GrainApiFixture : IAsyncLifetime
{
    private readonly SiloFixture _silo = new();
    private IHost? _client;

    public SiloFixture SiloFixture => _silo;

    public SiloProcess Silo => _silo.Silo;

    public IClusterClient Grains => _client?.Services.GetRequiredService<IClusterClient>()
        ?? throw new InvalidOperationException("the grain API fixture has not started");

    public async Task InitializeAsync()
    {
        await _silo.InitializeAsync();
        _client = new HostBuilder()
            .UseOrleansClient(client => client.UseLocalhostClustering(Silo.GatewayPort, "orleans-nsq", "orleans-nsq"))
            .Build();
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _client.StartAsync(started.Token);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }
        await _silo.DisposeAsync();
    }
}
