using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One Silo node started as a child process from the built OrleansNsq.Silo.dll, listening on free
/// loopback ports with its own temporary --data-path. Its stdout/stderr are kept (the last
/// <see cref="KeptLines"/> lines) so a failing test can show them. Disposing kills the process tree
/// and deletes the data path. A silo that exited can be started again with the same flags, ports, environment and data
/// path (<see cref="RestartAsync"/>), as a Kubernetes pod's container is restarted.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    /// <summary>How many ports a silo binds: tcp, http, lookupd http, silo, gateway, lookupd tcp, admin http.</summary>
    public const int PortCount = 7;
    /// <summary>Where the silo-to-silo port (--silo-port) is in that list.</summary>
    public const int SiloPortIndex = 3;
    private const int KeptLines = 4000;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly ProcessStartInfo _start;
    private readonly ConcurrentQueue<string> _output = new();
    private Process _process;
    private long _lineCount;

    private SiloProcess(ProcessStartInfo start, int[] ports, string dataPath)
    {
        _start = start;
        _process = NewProcess();
        TcpPort = ports[0];
        HttpPort = ports[1];
        LookupdHttpPort = ports[2];
        SiloPort = ports[SiloPortIndex];
        GatewayPort = ports[4];
        LookupdTcpPort = ports[5];
        AdminHttpPort = ports[6];
        DataPath = dataPath;
    }

    public int TcpPort { get; }
    public int HttpPort { get; }
    public int LookupdHttpPort { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int LookupdTcpPort { get; }
    public int AdminHttpPort { get; }
    public string DataPath { get; }

    public string TcpAddress => $"127.0.0.1:{TcpPort}";
    public string HttpAddress => $"127.0.0.1:{HttpPort}";
    public string LookupdHttpAddress => $"127.0.0.1:{LookupdHttpPort}";
    public string LookupdTcpAddress => $"127.0.0.1:{LookupdTcpPort}";
    public string AdminHttpAddress => $"127.0.0.1:{AdminHttpPort}";

    public bool HasExited => _process.HasExited;

    /// <summary>The id of the silo's current process (a new one after <see cref="RestartAsync"/>).</summary>
    public int ProcessId { get; private set; }

    /// <summary>The process's resident set size now (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS in /proc/{_process.Id}/status");
    }

    /// <summary>Number of output lines seen so far; pass it to <see cref="OutputSince"/> later.</summary>
    public long OutputMark => Interlocked.Read(ref _lineCount);

    /// <summary>
    /// Starts a Silo on fresh ports and waits (bounded) until GET /ping answers 200 OK. A port taken by
    /// someone else between <see cref="FreePorts.Take"/> and the Silo's bind costs a retry on new ports.
    /// </summary>
    public static Task<SiloProcess> StartAsync(params string[] extraArgs) => StartAsync(new Dictionary<string, string>(), extraArgs);

    /// <summary>As <see cref="StartAsync(string[])"/>, with environment variables for the process (configuration keys
    /// that have no flag, e.g. <c>Storage__MaxDatabaseBytes</c>).</summary>
    public static Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> environment, params string[] extraArgs) =>
        StartAsync(RepoLayout.SiloDll, environment, extraArgs);

    /// <summary>The standalone Gateway process (an Orleans client) with the same flags: NSQ ports of its own, the
    /// silos found through <paramref name="extraArgs"/> (--cluster…, or --gateway-port of a single-node Silo).</summary>
    public static Task<SiloProcess> StartGatewayAsync(IReadOnlyDictionary<string, string> environment, params string[] extraArgs) =>
        StartAsync(RepoLayout.GatewayDll, environment, extraArgs);

    /// <summary>As <see cref="StartAsync(IReadOnlyDictionary{string, string}, string[])"/> on the given ports (in the
    /// order of <see cref="PortCount"/>'s list), for a test that must know them before the silo starts (a proxy in
    /// front of the silo port). A port taken meanwhile by someone else fails the start: there is no retry.</summary>
    public static Task<SiloProcess> StartOnPortsAsync(int[] ports, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        if (ports.Length != PortCount) throw new ArgumentException($"a silo needs {PortCount} ports, got {ports.Length}", nameof(ports));
        return StartOnceAsync(RepoLayout.SiloDll, environment, extraArgs, ports);
    }

    private static async Task<SiloProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, string[] extraArgs)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(dll, environment, extraArgs, FreePorts.Take(PortCount));
            }
            catch (SiloExitedException e) when (attempt < attempts && e.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // a port race with another process; pick new ports
            }
        }
    }

    private static async Task<SiloProcess> StartOnceAsync(string dll, IReadOnlyDictionary<string, string> environment, string[] extraArgs, int[] ports)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"phase 'start silo': {dll} does not exist; build the solution in {RepoLayout.Configuration} first");
        }

        var dataPath = Directory.CreateTempSubdirectory("orleansnsq-e2e-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = dataPath,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var arg in new[]
                 {
                     dll,
                     "--tcp-address", $"127.0.0.1:{ports[0]}",
                     "--http-address", $"127.0.0.1:{ports[1]}",
                     "--lookupd-http-address", $"127.0.0.1:{ports[2]}",
                     "--lookupd-tcp-listen-address", $"127.0.0.1:{ports[5]}",
                     "--admin-http-address", $"127.0.0.1:{ports[6]}",
                     "--broadcast-address", "127.0.0.1",
                     "--silo-port", ports[3].ToString(),
                     "--gateway-port", ports[4].ToString(),
                     "--data-path", dataPath,
                 }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var silo = new SiloProcess(start, ports, dataPath);
        try
        {
            await silo.LaunchAsync(silo._process);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>
    /// Starts the silo's process again, after it exited, with the same flags, ports, environment and data path, and
    /// waits (bounded) until GET /ping answers 200 OK. The output goes on in the same kept lines.
    /// </summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited) throw new InvalidOperationException($"silo {TcpAddress}: process {_process.Id} is still running");
        _process.WaitForExit(); // drains the redirected output
        // The exited process stays current until the new one runs, so HasExited never meets an unstarted process.
        var exited = _process;
        try
        {
            await LaunchAsync(NewProcess());
        }
        finally
        {
            if (_process != exited) exited.Dispose();
        }
    }

    /// <summary>Waits until the current process exits; true when it did within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private Process NewProcess()
    {
        var process = new Process { StartInfo = _start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Keep("out", e.Data);
        process.ErrorDataReceived += (_, e) => Keep("err", e.Data);
        return process;
    }

    private async Task LaunchAsync(Process process)
    {
        Keep("test", $"starting: dotnet {string.Join(' ', _start.ArgumentList)}");
        process.Start();
        ProcessId = process.Id;
        _process = process;
        Keep("test", $"process id {ProcessId}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForPingAsync();
    }

    /// <summary>The kept output lines from <paramref name="mark"/> on (at most the last 400).</summary>
    public string OutputSince(long mark)
    {
        var lines = _output.ToArray();
        var total = OutputMark;
        var firstKept = total - lines.Length;
        var skip = (int)Math.Max(0, mark - firstKept);
        var wanted = lines.Skip(skip).ToArray();
        var tail = wanted.Length > 400 ? wanted[^400..] : wanted;
        var header = $"--- silo output ({tail.Length} of {wanted.Length} lines since mark {mark}; exited: {DescribeExit()}) ---";
        return header + Environment.NewLine + string.Join(Environment.NewLine, tail);
    }

    public string DescribeExit() => _process.HasExited ? $"yes, code {_process.ExitCode}" : "no";

    private void Keep(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue($"[{DateTime.UtcNow:HH:mm:ss.fff} {stream}] {line}");
        Interlocked.Increment(ref _lineCount);
        while (_output.Count > KeptLines && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitForPingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await BoundedWait.UntilAsync(
            phase: "silo ready",
            expected: $"GET http://{HttpAddress}/ping to answer 200 OK (or 403 TLS_REQUIRED)",
            timeout: ReadyTimeout,
            probe: async () =>
            {
                if (_process.HasExited)
                {
                    _process.WaitForExit(); // drains the redirected output
                    throw new SiloExitedException(
                        $"phase 'silo ready': the silo exited with code {_process.ExitCode} before answering /ping",
                        OutputSince(0));
                }

                try
                {
                    using var response = await http.GetAsync($"http://{HttpAddress}/ping");
                    var body = await response.Content.ReadAsStringAsync();
                    // With --tls-required=true the plain API refuses every request, /ping too: that answer is up as well.
                    var up = (response.StatusCode == HttpStatusCode.OK && body == "OK")
                             || (response.StatusCode == HttpStatusCode.Forbidden && body.Contains("\"TLS_REQUIRED\"", StringComparison.Ordinal));
                    return (up, $"{(int)response.StatusCode} {body}");
                }
                catch (HttpRequestException e)
                {
                    return (false, e.Message);
                }
            },
            context: () => OutputSince(0));
    }

    /// <summary>
    /// Sends SIGTERM, as a service manager would, and waits (bounded) for the process to exit; returns
    /// its exit code.
    /// </summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var exited = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException(
                $"phase 'silo stops on SIGTERM': still running after {timeout.TotalSeconds:0} s{Environment.NewLine}{OutputSince(0)}");
        }

        return _process.ExitCode;
    }

    /// <summary>`kill -9`: the process dies at once, without any shutdown work; waits (bounded) for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (kill(_process.Id, SigKill) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGKILL) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(exited.Token);
    }

    private const int SigTerm = 15;
    private const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            Keep("test", $"dispose: {e.Message}");
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by a dying process; the temp folder is cleaned by the OS later
            }
        }
    }
}

/// <summary>The Silo process ended before it was ready; <see cref="Output"/> holds what it printed.</summary>
public sealed class SiloExitedException(string message, string output) : Exception(message + Environment.NewLine + output)
{
    public string Output { get; } = output;
}
