using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One of the tests/nsqjs scripts running as a child process (`node script --name=value...`). Every
/// script prints one JSON line with its results and enforces its own --timeout-ms; this side adds a
/// grace period and kills the process if the script fails to stop by itself.
/// </summary>
public sealed class NodeScript : IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string _description;
    private readonly TimeSpan _timeout;

    private NodeScript(Process process, string description, TimeSpan timeout)
    {
        _process = process;
        _description = description;
        _timeout = timeout;
    }

    /// <summary>
    /// Starts <paramref name="script"/> (a file in tests/nsqjs) with the given arguments and a hard
    /// timeout passed as --timeout-ms.
    /// </summary>
    public static NodeScript Start(string script, TimeSpan timeout, params (string Name, object Value)[] args)
    {
        var nsqjs = Path.Combine(RepoLayout.NsqjsDirectory, "node_modules", "nsqjs");
        if (!Directory.Exists(nsqjs))
        {
            throw new InvalidOperationException(
                $"{nsqjs} is missing: run `npm ci` in tests/nsqjs (tests/run.sh does it)");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoLayout.NsqjsDirectory,
        };
        start.ArgumentList.Add(Path.Combine(RepoLayout.NsqjsDirectory, script));
        foreach (var (name, value) in args)
        {
            start.ArgumentList.Add(value is true ? $"--{name}" : $"--{name}={value}");
        }

        start.ArgumentList.Add($"--timeout-ms={(long)timeout.TotalMilliseconds}");

        var process = new Process { StartInfo = start };
        var description = $"node {script} {string.Join(' ', start.ArgumentList.Skip(1))}";
        var node = new NodeScript(process, description, timeout);
        process.OutputDataReceived += (_, e) => node.Append(node._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(node._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Runs a script to completion; see <see cref="CompleteAsync"/>.</summary>
    public static async Task<NodeResult> RunAsync(string script, string phase, TimeSpan timeout, params (string Name, object Value)[] args)
    {
        await using var node = Start(script, timeout, args);
        return await node.CompleteAsync(phase);
    }

    /// <summary>
    /// Waits for the script to exit (bounded by its timeout plus a grace period) and parses the last
    /// stdout line as its JSON result.
    /// </summary>
    public async Task<NodeResult> CompleteAsync(string phase)
    {
        using var bound = new CancellationTokenSource(_timeout + Grace);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"phase '{phase}': {_description} did not exit within {(_timeout + Grace).TotalSeconds:0} s{Environment.NewLine}{Transcript()}");
        }

        // WaitForExitAsync also waits for the redirected streams to reach EOF
        string stdout;
        lock (_stdout)
        {
            stdout = _stdout.ToString();
        }

        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (last is null)
        {
            throw new InvalidOperationException(
                $"phase '{phase}': {_description} exited with code {_process.ExitCode} and printed no result{Environment.NewLine}{Transcript()}");
        }

        JsonElement json;
        try
        {
            using var doc = JsonDocument.Parse(last);
            json = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException(
                $"phase '{phase}': {_description} printed a last line that is not JSON ({e.Message}){Environment.NewLine}{Transcript()}");
        }

        return new NodeResult(phase, _description, _process.ExitCode, json, Transcript());
    }

    public string Transcript()
    {
        lock (_stdout)
        {
            lock (_stderr)
            {
                return $"--- stdout ---{Environment.NewLine}{Tail(_stdout)}{Environment.NewLine}--- stderr ---{Environment.NewLine}{Tail(_stderr)}";
            }
        }
    }

    private static string Tail(StringBuilder text) =>
        text.Length > 8000 ? "..." + text.ToString(text.Length - 8000, 8000) : text.ToString();

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }
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

/// <summary>The JSON line a tests/nsqjs script printed, and its exit code.</summary>
public sealed record NodeResult(string Phase, string Command, int ExitCode, JsonElement Json, string Transcript)
{
    public bool Ok => ExitCode == 0 && Json.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;

    public long Number(string name) => Json.GetProperty(name).GetInt64();

    /// <summary>A {"key": count} object of the result as a dictionary (e.g. attempts).</summary>
    public IReadOnlyDictionary<string, long> Histogram(string name) =>
        Json.GetProperty(name).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    /// <summary>Fails with the phase, the command and its output unless the script reported ok.</summary>
    public NodeResult EnsureOk()
    {
        if (!Ok)
        {
            throw new Xunit.Sdk.XunitException(
                $"phase '{Phase}': {Command} failed (exit {ExitCode}): {Json}{Environment.NewLine}{Transcript}");
        }

        return this;
    }

    public override string ToString() => $"{Phase}: {Json}";
}
