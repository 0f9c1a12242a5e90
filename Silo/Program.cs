using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Hosting;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Grains.Storage.Embedded;
using OrleansNsq.Grains.Storage.Postgres;
using OrleansNsq.Gateway.Flags;
using OrleansNsq.Silo.Hosting;

namespace OrleansNsq.Silo;

/// <summary>The main job: one node = an Orleans silo with the NSQ gateway co-hosted (nsqd + nsqlookupd in one).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        InlineSocketCompletions.EnableUnlessSet(); // before any socket exists
        if (args is [MigrateCommand.Name, .. var migrateArgs]) return await MigrateCommand.RunAsync(migrateArgs);
        var commandLine = CommandLine.Parse(args);
        if (commandLine.Version)
        {
            Console.Out.WriteLine(NsqFlags.VersionText());
            return 0;
        }
        if (commandLine.Help)
        {
            Console.Out.Write(NsqFlags.HelpText());
            return 0;
        }
        if (commandLine.Error is not null)
        {
            Console.Error.WriteLine(commandLine.Error);
            Console.Error.Write(NsqFlags.HelpText());
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder(NodeWebApplication.Options());
        builder.Configuration.AddInMemoryCollection(commandLine.Values);
        builder.AddNsqNode();

        var app = builder.Build();
        app.UseNsqNode();
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
            return 2;
        }
        catch (Exception ex) when (StoreFailure(ex) is { } store)
        {
            // Orleans wraps a failed start stage; the operator needs only the store's own sentence.
            Console.Error.WriteLine(store.Message);
            return 1;
        }
        catch (Exception ex)
        {
            // A port in use, an address that cannot be bound: one line naming the cause, not a stack trace.
            Console.Error.WriteLine("OrleansNsq failed: " + Innermost(ex).Message);
            return 1;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    private static Exception? StoreFailure(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is EmbeddedStoreException or PostgresStoreException) return ex;
            if (ex is AggregateException { InnerExceptions: [var only] }) return StoreFailure(only);
        }
        return null;
    }
}
