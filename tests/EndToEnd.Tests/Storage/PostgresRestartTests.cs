using OrleansNsq.Tests.Postgres;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// The Silo as a process with <c>--storage=postgres</c> on a schema of the test's own (docs/STORAGE.md "PostgreSQL"):
/// killed and started again, it still has the topic and the paused channel; a server it cannot use stops the start
/// with one line naming the server and the cause; <c>migrate</c> applies the schema and exits.
/// </summary>
public sealed class PostgresRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private TestSchema? _schema;

    private TestSchema Schema => _schema!;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null) _schema = await PostgresTestServer.CreateSchemaAsync();
    }

    public async Task DisposeAsync()
    {
        if (_schema is not null) await _schema.DisposeAsync();
    }

    private string[] Postgres(string? connectionString = null) =>
        ["--storage", "postgres", "--storage-connection", connectionString ?? Schema.ConnectionString];

    [PostgresFact]
    public async Task Paused_channel_and_its_topic_are_listed_by_stats_after_the_silo_restarts_on_the_same_database()
    {
        var topic = $"pgrestart-{Guid.NewGuid():N}"[..24];
        var channel = "kept";

        await using (var first = await SiloProcess.StartAsync(Postgres()))
        {
            try
            {
                using var http = new NsqdHttp(first);
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, channel);
                await PostOkAsync(first, $"/channel/pause?topic={topic}&channel={channel}");
                var before = await http.StatsAsync(topic);
                Assert.True(Paused(before, topic, channel), "paused before the restart: " + before.Root);
            }
            finally
            {
                output.WriteLine(first.OutputSince(0));
            }
        } // kills the process: what the HTTP calls answered OK for must already be committed

        Assert.Equal(1L, await Schema.ScalarAsync<long>(
            $"SELECT count(*) FROM nsq_grain_state WHERE state_name = 'channel' AND grain_key LIKE '{topic}%'"));
        await using var second = await BoundedWait.ForAsync(SiloProcess.StartAsync(Postgres()), "restart", StartupTimeout);
        try
        {
            using var http = new NsqdHttp(second);
            var stats = await http.StatsAsync(topic);

            Assert.True(stats.Topic(topic) is not null, $"topic {topic} after restart: {stats.Root}");
            Assert.True(stats.Channel(topic, channel) is not null, $"channel {channel} after restart: {stats.Root}");
            Assert.True(Paused(stats, topic, channel), "channel paused after restart: " + stats.Root);
            Assert.False(stats.Topic(topic)!.Value.GetProperty("paused").GetBoolean(), "topic not paused: " + stats.Root);
        }
        finally
        {
            output.WriteLine(second.OutputSince(0));
        }
    }

    [PostgresFact]
    public async Task An_unreachable_postgres_stops_the_start_with_one_line_naming_the_server_and_exit_code_1()
    {
        var port = ClosedPort();
        var connection = PostgresTestServer.With(b => { b.Host = "127.0.0.1"; b.Port = port; });

        var error = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync(Postgres(connection)));

        Assert.Contains("exited with code 1", error.Message);
        var line = Assert.Single(ErrorLines(error.Output), l => l.StartsWith("postgres store", StringComparison.Ordinal));
        Assert.Matches($"^postgres store 127.0.0.1:{port}/[^:]+: Connection refused$", line);
    }

    [PostgresFact]
    public async Task A_wrong_password_stops_the_start_saying_so_with_exit_code_1()
    {
        var connection = PostgresTestServer.With(b => { b.Password = "wrong-password"; b.SearchPath = Schema.Name; });

        var error = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync(Postgres(connection)));

        Assert.Contains("exited with code 1", error.Message);
        var line = Assert.Single(ErrorLines(error.Output), l => l.StartsWith("postgres store", StringComparison.Ordinal));
        Assert.Contains("password authentication failed", line);
        Assert.DoesNotContain("wrong-password", SiloLines(error.Output)); // the test's own "starting: …" line has it
    }

    [Fact]
    public async Task Storage_postgres_without_a_connection_string_is_refused_naming_the_flag()
    {
        var error = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync("--storage", "postgres"));

        Assert.Contains("exited with code 2", error.Message);
        Assert.Contains("--storage-connection", error.Output);
    }

    [PostgresFact]
    public async Task Migrate_applies_the_schema_and_exits_and_a_second_run_finds_it_applied()
    {
        var (firstCode, firstOutput) = await RunSiloAsync(["migrate", .. Postgres()]);
        var (secondCode, secondOutput) = await RunSiloAsync(["migrate", .. Postgres()]);

        Assert.True(firstCode == 0, firstOutput);
        Assert.Contains("schema version 2 applied (was 0)", firstOutput);
        Assert.True(secondCode == 0, secondOutput);
        Assert.Contains("schema version 2 applied (was 2)", secondOutput);
        Assert.Equal(1L, await Schema.ScalarAsync<long>("SELECT count(*) FROM nsq_schema"));
    }

    /// <summary>What the Silo wrote, without the test's own lines.</summary>
    private static string SiloLines(string output) =>
        string.Join('\n', output.Split('\n').Where(l => l.Contains(" err] ", StringComparison.Ordinal) || l.Contains(" out] ", StringComparison.Ordinal)));

    /// <summary>The lines the Silo wrote to stderr (SiloProcess marks them "err").</summary>
    private static IEnumerable<string> ErrorLines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains(" err] ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(" err] ", StringComparison.Ordinal) + 6)..]);

    private static async Task<(int Code, string Output)> RunSiloAsync(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoLayout.SiloDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartupTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool Paused(NsqdStats stats, string topic, string channel) =>
        stats.Channel(topic, channel) is { } c && c.GetProperty("paused").GetBoolean();

    private static async Task PostOkAsync(SiloProcess silo, string pathAndQuery)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync($"http://{silo.HttpAddress}{pathAndQuery}", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"POST {pathAndQuery} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
