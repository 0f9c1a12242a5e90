using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrleansNsq.Tests.Postgres;

/// <summary>
/// A PostgreSQL server of one test, which the test may stop and start again: <c>initdb</c> into a new temporary
/// directory, then <c>pg_ctl</c> on 127.0.0.1 on a port chosen once, so a restart comes back on the same port and data
/// (as tests/postgres.sh does for the whole run). Trust authentication as superuser <c>nsq_test</c>. As root, initdb and
/// pg_ctl run as the <c>postgres</c> user, which they require. Disposing stops the server and deletes the directory.
/// Every program run is bounded (<see cref="CommandTimeout"/>); a failure names the command and shows its log.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    private const string Owner = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _dir;
    private bool _frozen;

    private PostgresInstance(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public bool IsRunning { get; private set; }

    /// <summary>The superuser's connection string to database <c>postgres</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=nsq_test;Database=postgres";

    private string DataDir => Path.Combine(_dir, "data");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The directory of initdb and pg_ctl (the PATH first, then Debian's newest), or null when there is none.</summary>
    public static string? FindBin()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        if (!Directory.Exists("/usr/lib/postgresql")) return null;
        return Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault();
    }

    /// <summary>Creates the cluster and starts it.</summary>
    public static async Task<PostgresInstance> StartAsync()
    {
        var bin = FindBin() ?? throw new InvalidOperationException("no initdb/pg_ctl found (install Debian's postgresql)");
        var dir = Directory.CreateTempSubdirectory("orleansnsq-pgi-").FullName;
        var instance = new PostgresInstance(bin, dir, FreePort());
        try
        {
            if (IsRoot)
            {
                await RunAsync("id", ["-u", Owner], asOwner: false, "the postgres user (run tests/postgres.sh once, which creates it)");
                await RunAsync("chown", ["-R", Owner, dir], asOwner: false, "chown");
            }
            // --no-sync: the cluster is thrown away. The server keeps fsync and synchronous_commit on.
            await instance.RunAsync("initdb", ["-D", instance.DataDir, "-U", "nsq_test", "--auth-local=trust", "--auth-host=trust",
                "-E", "UTF8", "--no-locale", "--no-sync"]);
            await instance.StartServerAsync();
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
        return instance;
    }

    /// <summary>Starts the stopped server again, on the same port and data directory.</summary>
    public async Task StartServerAsync()
    {
        await RunAsync("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_dir} -c max_connections=100", "start"]);
        IsRunning = true;
    }

    /// <summary>Stops the server as an operator's <c>pg_ctl stop -m fast</c> does (open sessions are ended, new
    /// connections refused), or, <paramref name="immediate"/>, as a crash does (<c>-m immediate</c>: no shutdown
    /// checkpoint; the next start recovers from the WAL).</summary>
    public async Task StopServerAsync(bool immediate = false)
    {
        await RunAsync("pg_ctl", ["-D", DataDir, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60", "stop"]);
        IsRunning = false;
    }

    /// <summary>Freezes the server (SIGSTOP to the postmaster and its backends) as a host that stopped answering
    /// does: connections stay open and the kernel still accepts new ones, but nothing is answered.
    /// <see cref="ThawServerAsync"/> lets it go on.</summary>
    public async Task FreezeServerAsync()
    {
        await SignalServerAsync("STOP");
        _frozen = true;
    }

    public async Task ThawServerAsync()
    {
        await SignalServerAsync("CONT");
        _frozen = false;
    }

    private async Task SignalServerAsync(string signal)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var pids = new List<int> { postmaster };
        foreach (var stat in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
                var text = File.ReadAllText(Path.Combine(stat, "stat"));
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == postmaster)
                    pids.Add(int.Parse(Path.GetFileName(stat), System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
        }
        await RunAsync("kill", ["-" + signal, .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            asOwner: false, "kill -" + signal);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            try
            {
                if (_frozen) await ThawServerAsync();
                await RunAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // already gone; the directory goes anyway
            }
        }
        Directory.Delete(_dir, recursive: true);
    }

    private Task RunAsync(string program, string[] args) => RunAsync(Path.Combine(_bin, program), args, asOwner: true, program);

    private static async Task RunAsync(string program, string[] args, bool asOwner, string what)
    {
        var start = new ProcessStartInfo(asOwner && IsRoot ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asOwner && IsRoot)
        {
            foreach (var arg in new[] { "-u", Owner, "--", program }) start.ArgumentList.Add(arg);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{what}: could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{what}: {program} {string.Join(' ', args)} did not finish within {CommandTimeout.TotalSeconds}s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{what}: {program} {string.Join(' ', args)} exited with code {process.ExitCode}: {await stdout}{await stderr}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
