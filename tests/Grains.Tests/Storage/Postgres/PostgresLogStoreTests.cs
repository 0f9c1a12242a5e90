using OrleansNsq.Tests.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansNsq.Grains.Storage.Log;
using OrleansNsq.Grains.Storage.Postgres;
using OrleansNsq.Grains.Tests.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Postgres;

/// <summary>The message log contract on a real PostgreSQL, each test in a schema of its own, plus what is particular
/// to PostgreSQL: many appends per statement, payload storage, synchronous commit.</summary>
[RequiresPostgres]
public sealed class PostgresLogStoreTests : MessageLogStoreContract
{
    private TestSchema? _schema;
    private PostgresDatabase? _database;

    protected override async Task<IMessageLogStore> OpenStoreAsync()
    {
        _schema = await PostgresTestServer.CreateSchemaAsync();
        _database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _schema.ConnectionString },
            NullLogger<PostgresDatabase>.Instance);
        await _database.StartAsync(CancellationToken.None);
        return new PostgresLogStore(_database.DataSource);
    }

    protected override Task FailAppendsToAsync(string topic) => _schema!.ExecuteAsync($"""
        CREATE OR REPLACE FUNCTION fail_append() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RAISE EXCEPTION 'injected failure: append to %', NEW.topic; END $$;
        CREATE TRIGGER fail_{topic} BEFORE INSERT ON nsq_log_batch FOR EACH ROW
            WHEN (NEW.topic = '{topic}') EXECUTE FUNCTION fail_append();
        """);

    protected override async Task CloseStoreAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        if (_schema is not null) await _schema.DisposeAsync();
    }

    [StoreFact]
    public async Task A_silo_declared_dead_in_the_membership_table_cannot_commit_and_an_active_or_unlisted_one_can()
    {
        var topic = NewTopic();
        var fenced = new PostgresLogStore(_database!.DataSource, new MembershipFence("c1", "127.0.0.1", 11111, 7));
        await _schema!.ExecuteAsync("""
            INSERT INTO nsq_membership_version (deployment_id, version) VALUES ('c1', 1);
            """);

        await fenced.CommitAsync([Ids(topic, 1, 1)]); // no row yet: a silo that is joining
        await _schema.ExecuteAsync("""
            INSERT INTO nsq_membership (deployment_id, address, port, generation, silo_name, host_name, status, start_time, i_am_alive_time)
            VALUES ('c1', '127.0.0.1', 11111, 7, 's', 'h', 3, now(), now());
            """);
        await fenced.CommitAsync([Ids(topic, 2, 2)]); // Active
        await _schema.ExecuteAsync("UPDATE nsq_membership SET status = 6 WHERE deployment_id = 'c1'");

        await Assert.ThrowsAsync<SiloDeclaredDeadException>(() => fenced.CommitAsync([Ids(topic, 3, 3), Ids(topic, 4, 4)]));

        var stored = await Store.ReadBatchesAsync(topic, 0, int.MaxValue);
        Assert.Equal([1L, 2L], stored.Select(b => b.FirstId));
    }

    [StoreFact]
    public async Task One_commit_appends_more_batches_than_one_insert_statement_holds()
    {
        var topic = NewTopic();
        var count = PostgresLogStore.MaxRowsPerInsert * 2 + 1;

        await Store.CommitAsync(Enumerable.Range(1, count).Select(id => (LogWrite)Ids(topic, id, id)).ToArray());

        var batches = await Store.ReadBatchesAsync(topic, 0, int.MaxValue);
        Assert.Equal(Enumerable.Range(1, count).Select(id => (long)id), batches.Select(b => b.FirstId));
        Assert.Equal($"m{count}", Bodies(batches[^1])[0]);
    }

    [StoreFact]
    public async Task Payload_columns_are_stored_without_a_compression_attempt()
    {
        var storage = await _schema!.ScalarAsync<string>($"""
            SELECT string_agg(attname || '=' || attstorage::text, ',' ORDER BY attname) FROM pg_attribute
            WHERE attrelid = '{_schema.Name}.nsq_log_batch'::regclass AND attname IN ('data', 'ends')
            """);

        Assert.Equal("data=e,ends=e", storage); // e: EXTERNAL, out of line and uncompressed
    }

    [StoreFact]
    public async Task Connections_commit_synchronously_even_when_the_connection_string_asks_otherwise()
    {
        var lax = new NpgsqlConnectionStringBuilder(_schema!.ConnectionString) { Options = "-c synchronous_commit=off" };
        await using var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = lax.ConnectionString },
            NullLogger<PostgresDatabase>.Instance);
        await using var command = database.DataSource.CreateCommand("SHOW synchronous_commit");

        Assert.Equal("on", await command.ExecuteScalarAsync());
    }

    [StoreFact]
    public async Task A_batch_whose_ends_do_not_match_its_count_is_refused_before_anything_is_written()
    {
        var topic = NewTopic();
        var bad = new LogWrite.AppendBatch(topic, 3, 2, 0, 0, false, new byte[] { 1, 2 }, new[] { 2 });

        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync([Ids(topic, 1, 2), bad]));

        Assert.Empty(await Store.ReadBatchesAsync(topic, 0, int.MaxValue));
    }
}
