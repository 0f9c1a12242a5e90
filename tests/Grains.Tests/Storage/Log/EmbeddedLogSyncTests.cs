using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Grains.Storage.Embedded;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>Written behind, the embedded log fsyncs at most once per sync interval; durable, every commit.</summary>
public sealed class EmbeddedLogSyncTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("orleansnsq-logsync-").FullName;
    private readonly EmbeddedDatabase _database;
    private readonly FakeTimeProvider _time = new();
    private long _nextId = 1;

    public EmbeddedLogSyncTests()
    {
        _database = new EmbeddedDatabase(Path.Combine(_directory, "orleans-nsq.db"));
        _database.Open();
    }

    private Task CommitOneAsync(EmbeddedLogStore store)
    {
        var id = _nextId++;
        return store.CommitAsync([new LogWrite.AppendBatch("t", id, 1, 1, 0, false, new byte[] { 1 }, new[] { 1 })]);
    }

    [Fact]
    public async Task Written_behind_only_a_commit_an_interval_after_the_last_sync_is_fsynced()
    {
        var store = new EmbeddedLogStore(_database, Interval, _time);

        await CommitOneAsync(store);                      // the first: synced
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await CommitOneAsync(store);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        await CommitOneAsync(store);
        Assert.Equal((1, 2), (store.SyncedCommits, store.UnsyncedCommits));

        _time.Advance(TimeSpan.FromMilliseconds(100));    // past the interval, no commit came: a checkpoint syncs them
        await WaitForAsync(() => Volatile.Read(ref store.TrailingSyncs) == 1);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        await CommitOneAsync(store);                      // 50 ms after the checkpoint: unsynced again
        _time.Advance(TimeSpan.FromMilliseconds(60));
        await CommitOneAsync(store);                      // 110 ms after it: synced, and no checkpoint is needed
        Assert.Equal((2, 3), (store.SyncedCommits, store.UnsyncedCommits));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await _database.WriteAsync(_ => true);
        Assert.Equal(1, Volatile.Read(ref store.TrailingSyncs));
        Assert.Equal(5, await store.ReadLastIdAsync("t"));
    }

    [Fact]
    public async Task After_a_log_commit_the_connection_is_back_to_synchronous_full_for_grain_state()
    {
        var store = new EmbeddedLogStore(_database, Interval, _time);
        await CommitOneAsync(store);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await CommitOneAsync(store);                      // unsynced: NORMAL for this commit only

        var synchronous = await _database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous;";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });

        Assert.Equal(1, store.UnsyncedCommits);
        Assert.Equal(2, synchronous); // FULL
    }

    [Fact]
    public async Task Without_an_interval_every_commit_is_fsynced()
    {
        var store = new EmbeddedLogStore(_database, TimeSpan.Zero, _time);

        for (var i = 0; i < 3; i++) await CommitOneAsync(store);

        Assert.Equal((3, 0), (store.SyncedCommits, store.UnsyncedCommits));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            bound.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
