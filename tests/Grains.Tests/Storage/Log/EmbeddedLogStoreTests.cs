using Microsoft.Data.Sqlite;
using OrleansNsq.Grains.Storage.Embedded;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>The message log contract on the embedded SQLite store, each test on a file of its own.</summary>
public sealed class EmbeddedLogStoreTests : MessageLogStoreContract
{
    private string? _directory;
    private EmbeddedDatabase? _database;

    private string DatabasePath => Path.Combine(_directory!, "orleans-nsq.db");

    protected override Task<IMessageLogStore> OpenStoreAsync()
    {
        _directory = System.IO.Directory.CreateTempSubdirectory("orleansnsq-logstore-").FullName;
        _database = new EmbeddedDatabase(DatabasePath);
        _database.Open();
        return Task.FromResult<IMessageLogStore>(new EmbeddedLogStore(_database));
    }

    /// <summary>A trigger on the file refuses the topic's inserts, so its commit fails mid-transaction.</summary>
    protected override Task FailAppendsToAsync(string topic)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER fail_{topic} BEFORE INSERT ON message_batch WHEN NEW.topic = '{topic}'
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
            """;
        command.ExecuteNonQuery();
        return Task.CompletedTask;
    }

    protected override Task CloseStoreAsync()
    {
        _database?.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_directory!, recursive: true);
        return Task.CompletedTask;
    }
}
