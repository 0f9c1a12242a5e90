using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Admin.Configuration;
using OrleansNsq.Admin.Hosting;

namespace OrleansNsq.Admin;

/// <summary>
/// The standalone admin, as nsqadmin is run: <c>--lookupd-http-address</c> (repeatable) or
/// <c>--nsqd-http-address</c> (repeatable), served on <c>--http-address</c> (default 0.0.0.0:4171). It speaks only
/// HTTP to lookupd and nsqd, so it watches real nsqd fleets as well as ours.
/// </summary>
public static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var commandLine = AdminCommandLine.Parse(args);
        if (commandLine.Help)
        {
            Console.Out.Write(AdminCommandLine.HelpText());
            return 0;
        }
        if (commandLine.Error is not null)
        {
            Console.Error.WriteLine(commandLine.Error);
            Console.Error.Write(AdminCommandLine.HelpText());
            return 2;
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.AddInMemoryCollection(commandLine.Values);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddNsqAdmin(builder.Configuration);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<AdminOptions>>().Value;
            kestrel.Listen(ListenAddress.Parse(options.HttpAddress));
        });
        var app = builder.Build();
        app.UseNsqAdmin();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq.Admin");
        app.Lifetime.ApplicationStarted.Register(() => Listening(logger, string.Join(", ", app.Urls)));
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or FormatException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine("OrleansNsq.Admin failed: " + ex.Message);
            return 1;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "nsqadmin listening on {Urls}")]
    private static partial void Listening(ILogger logger, string urls);
}
