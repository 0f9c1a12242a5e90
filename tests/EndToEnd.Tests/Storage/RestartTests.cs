using System.Net;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// The Silo as a process on a --data-path of the test's own, stopped and started again on it: topics, channels and
/// paused flags are in the embedded store (docs/STORAGE.md). A failing start names its cause. PostgresRestartTests does
/// the same with --storage=postgres.
/// </summary>
public sealed class RestartTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataPath = Directory.CreateTempSubdirectory("orleansnsq-e2e-restart-").FullName;

    [Fact]
    public async Task Paused_channel_and_its_topic_are_listed_by_stats_after_the_silo_restarts_on_the_same_data_path()
    {
        var topic = $"restart-{Guid.NewGuid():N}"[..20];
        var channel = "kept";

        await using (var first = await SiloProcess.StartAsync("--data-path", _dataPath))
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
        } // kills the process: what the HTTP calls answered OK for must already be on disk

        Assert.True(File.Exists(Path.Combine(_dataPath, "orleans-nsq.db")), "the store file is under --data-path");
        await using var second = await BoundedWait.ForAsync(SiloProcess.StartAsync("--data-path", _dataPath), "restart", StartupTimeout);
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

    [Fact]
    public async Task A_data_file_that_is_not_a_database_stops_the_start_naming_the_file()
    {
        var file = Path.Combine(_dataPath, "orleans-nsq.db");
        await File.WriteAllBytesAsync(file, Enumerable.Repeat((byte)0x5A, 8192).ToArray());

        var error = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync("--data-path", _dataPath));

        Assert.Contains($"embedded store: cannot use {file}", error.Output);
        Assert.Contains("not a database", error.Output);
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

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying process; the temp folder is cleaned by the OS later
        }
    }
}
