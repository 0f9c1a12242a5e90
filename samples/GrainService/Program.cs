using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace OrleansNsq.GrainService;

/// <summary>
/// The sample .NET service of docs/GRAIN-API.md: an Orleans client (no NSQ connection at all) that publishes to a topic
/// through <see cref="ITopicGrain"/> and consumes a channel through <see cref="Consumers.ChannelConsumer"/>. NSQ clients
/// on the same topic see its messages, and it sees theirs.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var (options, error) = SampleOptions.Parse(args);
        if (options.Help)
        {
            Console.Out.Write(SampleOptions.HelpText);
            return 0;
        }
        if (error is not null)
        {
            Console.Error.WriteLine(error);
            Console.Error.Write(SampleOptions.HelpText);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        // stdout carries the bodies and the summary; every log line goes to stderr.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            if (options.InCluster)
            {
                // The silos' gateways from the cluster's membership table (docs/CLUSTER.md).
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = options.ClusterConnection;
                });
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
            }
            else
            {
                // A single-node Silo on this host: its Orleans gateway port (the Silo's --gateway-port).
                client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            }
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RunSummary>();
        builder.Services.AddHostedService<PublishAndConsumeWorker>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        try
        {
            using var host = builder.Build();
            var result = host.Services.GetRequiredService<RunSummary>();
            await host.RunAsync();
            Console.Out.WriteLine(result.ToJson());
            return result.Failed ? 1 : 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine("OrleansNsq.GrainService failed: " + ex.Message);
            return 1;
        }
    }
}
