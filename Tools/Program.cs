using System.CommandLine;
using System.Runtime.InteropServices;
using OrleansNsq.Tools.Bench;
using OrleansNsq.Tools.Stat;
using OrleansNsq.Tools.Tail;
using OrleansNsq.Tools.ToFile;
using OrleansNsq.Tools.ToNsq;

namespace OrleansNsq.Tools;

/// <summary>NSQ's utilities as one program: <c>bench</c> (bench_writer + bench_reader + pubsub), <c>nsq_stat</c>, <c>to_nsq</c>, <c>nsq_tail</c> and <c>nsq_to_file</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("OrleansNsq tools: NSQ's utilities, speaking only the NSQ protocol.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(NsqStatCommand.Create());
        root.Subcommands.Add(ToNsqCommand.Create());
        root.Subcommands.Add(NsqTailCommand.Create());
        root.Subcommands.Add(NsqToHttp.NsqToHttpCommand.Create());
        root.Subcommands.Add(NsqToNsq.NsqToNsqCommand.Create());
        root.Subcommands.Add(NsqToFileCommand.Create());

        // Ctrl-C and SIGTERM cancel the command's token and let it finish (as NSQ's tools trap SIGINT/SIGTERM);
        // each command decides its exit code. System.CommandLine's own handler would force exit code 130.
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
    }
}
