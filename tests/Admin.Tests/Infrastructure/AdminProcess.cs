using System.Diagnostics;
using System.Net;
using System.Text;

namespace OrleansNsq.Admin.Tests.Infrastructure;

/// <summary>The standalone admin (OrleansNsq.Admin.dll) as a child process on a free loopback port, run with
/// nsqadmin's flags; disposing kills it.</summary>
public sealed class AdminProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AdminProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<AdminProcess> StartAsync(params string[] flags)
    {
        var port = FreePorts.Take(1)[0];
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { RepoLayout.AdminDll, "--http-address", $"127.0.0.1:{port}" }.Concat(flags)) start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        var admin = new AdminProcess(process, $"127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => admin.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => admin.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await BoundedWait.UntilAsync("admin ready", $"GET http://{admin.Address}/ping to answer OK", TimeSpan.FromSeconds(60), async () =>
            {
                if (process.HasExited) throw new InvalidOperationException($"the admin exited with {process.ExitCode}: {admin.Output}");
                using var response = await http.GetAsync($"http://{admin.Address}/ping");
                return (response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}");
            }, () => admin.Output);
        }
        catch
        {
            await admin.DisposeAsync();
            throw;
        }
        return admin;
    }

    /// <summary>Runs the admin to its exit (bad flags); returns the exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] flags)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { RepoLayout.AdminDll }.Concat(flags)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(exited.Token);
        _process.Dispose();
    }
}
