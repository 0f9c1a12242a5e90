using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansNsq.Grains.Storage.Embedded;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

public class EmbeddedGrainStorageTests
{
    public sealed class Note
    {
        public string Text { get; set; } = "";
        public List<string> Names { get; set; } = [];
    }

    private static GrainId NewGrain() => GrainId.Create("test", Guid.NewGuid().ToString("N"));

    private static GrainState<Note> State(string text = "", string? etag = null) =>
        new(new Note { Text = text, Names = ["a", "b"] }, etag);

    [Fact]
    public async Task Read_of_a_state_never_written_finds_no_record()
    {
        await using var file = new StoreFile();
        var state = State("untouched");

        await file.Storage.ReadStateAsync("note", NewGrain(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("untouched", state.State!.Text);
    }

    [Fact]
    public async Task Write_then_read_returns_the_state_and_its_ETag()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var written = State("hello");

        await file.Storage.WriteStateAsync("note", grain, written);
        var read = State();
        await file.Storage.ReadStateAsync("note", grain, read);

        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.Equal((true, written.ETag, "hello"), (read.RecordExists, read.ETag, read.State!.Text));
        Assert.Equal(["a", "b"], read.State.Names);
    }

    [Fact]
    public async Task Each_write_gives_a_new_ETag_and_state_names_are_kept_apart()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var first = State("one");
        var other = State("other");

        await file.Storage.WriteStateAsync("note", grain, first);
        var etag1 = first.ETag;
        first.State!.Text = "two";
        await file.Storage.WriteStateAsync("note", grain, first);
        await file.Storage.WriteStateAsync("other", grain, other);

        var read = State();
        await file.Storage.ReadStateAsync("note", grain, read);
        Assert.NotEqual(etag1, first.ETag);
        Assert.Equal(("two", first.ETag), (read.State!.Text, read.ETag));
    }

    [Fact]
    public async Task Write_with_a_stale_ETag_throws_InconsistentStateException()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var owner = State("v1");
        await file.Storage.WriteStateAsync("note", grain, owner);
        var stale = State("stale", owner.ETag);
        await file.Storage.WriteStateAsync("note", grain, owner);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => file.Storage.WriteStateAsync("note", grain, stale));

        Assert.Equal(owner.ETag, error.StoredEtag);
        var read = State();
        await file.Storage.ReadStateAsync("note", grain, read);
        Assert.Equal("v1", read.State!.Text);
    }

    [Fact]
    public async Task First_write_of_a_state_someone_else_wrote_throws_InconsistentStateException()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        await file.Storage.WriteStateAsync("note", grain, State("first"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => file.Storage.WriteStateAsync("note", grain, State("second")));
    }

    [Fact]
    public async Task Clear_removes_the_record_and_a_clear_with_a_stale_ETag_is_refused()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var state = State("doomed");
        await file.Storage.WriteStateAsync("note", grain, state);
        var stale = State("", "999");

        await Assert.ThrowsAsync<InconsistentStateException>(() => file.Storage.ClearStateAsync("note", grain, stale));
        await file.Storage.ClearStateAsync("note", grain, state);

        Assert.Equal((false, null), (state.RecordExists, state.ETag));
        var read = State("after");
        await file.Storage.ReadStateAsync("note", grain, read);
        Assert.False(read.RecordExists);
        // Written again after the clear, the state starts over as a new record.
        await file.Storage.WriteStateAsync("note", grain, State("reborn"));
    }

    [Fact]
    public async Task A_reopened_file_reads_back_what_was_written()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var state = State("durable");
        await file.Storage.WriteStateAsync("note", grain, state);

        await file.Reopen();
        var read = State();
        await file.Storage.ReadStateAsync("note", grain, read);

        Assert.Equal((true, state.ETag, "durable"), (read.RecordExists, read.ETag, read.State!.Text));
        Assert.True(File.Exists(Path.Combine(file.DataPath, EmbeddedStoreOptions.DefaultFileName)));
    }

    [Fact]
    public async Task Concurrent_writers_are_serialized_and_every_write_lands()
    {
        await using var file = new StoreFile();
        var grains = Enumerable.Range(0, 200).Select(_ => NewGrain()).ToArray();

        await Task.WhenAll(grains.Select(grain => Task.Run(async () =>
        {
            var state = State(grain.ToString());
            for (var i = 0; i < 5; i++) await file.Storage.WriteStateAsync("note", grain, state);
        })));

        foreach (var grain in grains)
        {
            var read = State();
            await file.Storage.ReadStateAsync("note", grain, read);
            Assert.Equal((grain.ToString(), "5"), (read.State!.Text, read.ETag));
        }
    }

    [Fact]
    public async Task Concurrent_writes_with_the_same_ETag_let_exactly_one_win()
    {
        await using var file = new StoreFile();
        var grain = NewGrain();
        var first = State("base");
        await file.Storage.WriteStateAsync("note", grain, first);

        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await file.Storage.WriteStateAsync("note", grain, State("w" + i, first.ETag));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        })).ToArray();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, won => won);
    }

    [Fact]
    public async Task The_file_uses_WAL_journaling_and_its_schema_is_created_once()
    {
        await using var file = new StoreFile();
        await file.Reopen(); // CREATE TABLE IF NOT EXISTS a second time on the same file

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(file.DataPath, EmbeddedStoreOptions.DefaultFileName)};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'grain_state'; PRAGMA user_version;";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("wal", reader.GetString(0));
        Assert.True(await reader.NextResultAsync() && await reader.ReadAsync());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.True(await reader.NextResultAsync() && await reader.ReadAsync());
        Assert.Equal((long)EmbeddedDatabase.SchemaVersion, reader.GetInt64(0));
    }

    [Fact]
    public async Task A_missing_data_path_is_created()
    {
        var parent = System.IO.Directory.CreateTempSubdirectory("orleansnsq-store-").FullName;
        var file = new StoreFile(Path.Combine(parent, "a", "b"));

        await file.Storage.WriteStateAsync("note", NewGrain(), State("x"));

        Assert.True(File.Exists(Path.Combine(parent, "a", "b", EmbeddedStoreOptions.DefaultFileName)));
        await file.DisposeAsync();
        System.IO.Directory.Delete(parent, recursive: true);
    }

    [Fact]
    public void A_file_that_is_not_a_database_fails_at_open_naming_the_file()
    {
        var dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-store-").FullName;
        var path = Path.Combine(dataPath, EmbeddedStoreOptions.DefaultFileName);
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0x5A, 8192).ToArray());
        try
        {
            var error = Assert.Throws<EmbeddedStoreException>(() => StoreFile.Open(dataPath));

            Assert.Contains(path, error.Message);
            Assert.Contains("not a database", error.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(dataPath, recursive: true);
        }
    }

    [Fact]
    public void A_data_path_that_cannot_be_created_fails_at_open_naming_it()
    {
        var blocker = Path.GetTempFileName(); // a file where a directory should be
        try
        {
            var dataPath = Path.Combine(blocker, "data");
            var error = Assert.Throws<EmbeddedStoreException>(() => StoreFile.Open(dataPath));

            Assert.Contains("cannot create the data path", error.Message);
            Assert.Contains(dataPath, error.Message);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public async Task A_SQLite_file_of_another_program_is_refused()
    {
        var dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-store-").FullName;
        var path = Path.Combine(dataPath, EmbeddedStoreOptions.DefaultFileName);
        await using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await other.OpenAsync();
            await using var command = other.CreateCommand();
            command.CommandText = "PRAGMA application_id = 42; CREATE TABLE t (x);";
            await command.ExecuteNonQueryAsync();
        }
        try
        {
            var error = Assert.Throws<EmbeddedStoreException>(() => StoreFile.Open(dataPath));

            Assert.Contains("another program", error.Message);
        }
        finally
        {
            System.IO.Directory.Delete(dataPath, recursive: true);
        }
    }
}
