using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansNsq.Tools.Tests.Infrastructure;

/// <summary>
/// OrleansNsq.Tools.dll of the same build run as a child process (<c>dotnet OrleansNsq.Tools.dll …</c>), as an
/// operator runs it: exit code, stdout and stderr kept. Every run is bounded; on expiry the process is killed and the
/// failure names the command and what it printed.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string _commandLine;

    private ToolProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    public static string ToolsDll => Path.Combine(RepoLayout.Root, "Tools", "bin", RepoLayout.Configuration, "net10.0", "OrleansNsq.Tools.dll");

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static ToolProcess Start(params string[] args) => Start(stdin: null, args);

    /// <summary>Starts the tool with <paramref name="stdin"/> written to its standard input, which is then closed (EOF).</summary>
    public static ToolProcess Start(byte[]? stdin, params string[] args)
    {
        if (!File.Exists(ToolsDll)) throw new InvalidOperationException($"{ToolsDll} does not exist; build the solution in {RepoLayout.Configuration} first");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        start.ArgumentList.Add(ToolsDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var tool = new ToolProcess(process, "dotnet OrleansNsq.Tools.dll " + string.Join(' ', args));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (tool._stdout) tool._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (tool._stderr) tool._stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
            process.StandardInput.Close();
        }
        return tool;
    }

    /// <summary>Runs to the end (bounded) and returns the exit code.</summary>
    public static Task<ToolProcess> RunAsync(TimeSpan timeout, params string[] args) => RunAsync(timeout, stdin: null, args);

    /// <summary>Runs to the end (bounded) with <paramref name="stdin"/> as its standard input.</summary>
    public static async Task<ToolProcess> RunAsync(TimeSpan timeout, byte[]? stdin, params string[] args)
    {
        var tool = Start(stdin, args);
        await tool.WaitForExitAsync(timeout);
        return tool;
    }

    public int ExitCode => _process.ExitCode;

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"phase '{_commandLine}': not done within {timeout.TotalSeconds:0.#} s{Environment.NewLine}{Describe()}");
        }
    }

    /// <summary>Ctrl-C.</summary>
    public void Interrupt()
    {
        if (kill(_process.Id, 2) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>SIGHUP.</summary>
    public void Hangup()
    {
        if (kill(_process.Id, 1) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGHUP) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>kill -9: no signal handler runs, nothing is flushed or closed.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public string Describe() => $"command: {_commandLine}{Environment.NewLine}stdout:{Environment.NewLine}{Stdout}stderr:{Environment.NewLine}{Stderr}";

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
