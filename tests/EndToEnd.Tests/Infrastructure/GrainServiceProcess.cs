using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The sample service (samples/GrainService) as a child process: an Orleans client of a Silo. stdout holds the
/// consumed bodies (with --print-bodies) and a JSON summary as its last line; stderr holds its logs.
/// </summary>
public sealed class GrainServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    private readonly string _description;

    private GrainServiceProcess(Process process, string description)
    {
        _process = process;
        _description = description;
    }

    public static GrainServiceProcess Start(params string[] args)
    {
        if (!File.Exists(RepoLayout.GrainServiceDll))
        {
            throw new InvalidOperationException(
                $"phase 'start sample': {RepoLayout.GrainServiceDll} does not exist; build the solution in {RepoLayout.Configuration} first");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoLayout.GrainServiceDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var sample = new GrainServiceProcess(process, $"dotnet OrleansNsq.GrainService.dll {string.Join(' ', args)}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (sample._stdout) sample._stdout.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (sample._stderr) sample._stderr.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits (bounded) for the exit; returns the exit code, the stdout lines before the summary, and the
    /// summary.</summary>
    public async Task<(int ExitCode, string[] Lines, JsonElement Summary)> CompleteAsync(string phase, TimeSpan timeout)
    {
        await WaitForExitAsync(phase, timeout);
        string[] lines;
        lock (_stdout) lines = [.. _stdout];
        if (lines.Length == 0)
            throw new InvalidOperationException($"phase '{phase}': {_description} exited {_process.ExitCode} with no summary{Environment.NewLine}{Transcript()}");
        try
        {
            using var summary = JsonDocument.Parse(lines[^1]);
            return (_process.ExitCode, lines[..^1], summary.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException(
                $"phase '{phase}': {_description} exited {_process.ExitCode}; its last line is no JSON summary ({e.Message}){Environment.NewLine}{Transcript()}");
        }
    }

    /// <summary>Waits (bounded) for the exit of a run that prints no summary (--help, bad flags).</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> CompleteWithoutSummaryAsync(string phase, TimeSpan timeout)
    {
        await WaitForExitAsync(phase, timeout);
        string stdout, stderr;
        lock (_stdout) stdout = string.Join(Environment.NewLine, _stdout);
        lock (_stderr) stderr = _stderr.ToString();
        return (_process.ExitCode, stdout, stderr);
    }

    private async Task WaitForExitAsync(string phase, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"phase '{phase}': {_description} did not exit within {timeout.TotalSeconds:0} s{Environment.NewLine}{Transcript()}");
        }
        _process.WaitForExit(); // drains the redirected output
    }

    public string Transcript()
    {
        string stdout;
        lock (_stdout) stdout = string.Join(Environment.NewLine, _stdout.TakeLast(50));
        string stderr;
        lock (_stderr) stderr = _stderr.Length > 8000 ? "..." + _stderr.ToString(_stderr.Length - 8000, 8000) : _stderr.ToString();
        return $"--- {_description} stdout (last 50 lines) ---{Environment.NewLine}{stdout}{Environment.NewLine}--- stderr ---{Environment.NewLine}{stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(exited.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // already gone
        }
        finally
        {
            _process.Dispose();
        }
    }
}
