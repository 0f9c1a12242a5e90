using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansNsq.Silo.Hosting;

namespace OrleansNsq.Silo.Tests.Deploy;

/// <summary>The probes' meaning (docs/DEPLOY.md): /ping answers only once the silo has started, because the host
/// starts hosted services in registration order and the web server's comes after the silo's.</summary>
public class ProbeOrderTests
{
    [Fact]
    public void The_silo_starts_before_the_web_server_that_answers_ping()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddNsqNode();
        using var app = builder.Build();

        var order = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        var silo = order.FindIndex(n => n.Contains("Silo", StringComparison.Ordinal));
        var web = order.IndexOf("GenericWebHostService");

        Assert.True(silo >= 0 && web > silo, "hosted services in start order: " + string.Join(", ", order));
    }
}
