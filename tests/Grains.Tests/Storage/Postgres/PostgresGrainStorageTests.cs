using OrleansNsq.Tests.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Postgres;

namespace OrleansNsq.Grains.Tests.Storage.Postgres;

/// <summary>
/// The official Orleans ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet, invariant Npgsql) running our
/// schema's queries against a real PostgreSQL: one silo per test class, registered by
/// <c>AddPostgresNsqStore</c> as the grain storage "nsq"; "nsq-delete" is the same provider with
/// <c>DeleteStateOnClear</c>, which runs the DeleteStorageKey query instead of ClearStorageKey.
/// </summary>
public sealed class PostgresGrainStorageTests(PostgresGrainStorageTests.Silo silo) : IClassFixture<PostgresGrainStorageTests.Silo>
{
    private const string DeletingStorage = "nsq-delete";

    public sealed class Note
    {
        public string Text { get; set; } = "";
        public List<string> Names { get; set; } = [];
    }

    public sealed class Silo : IAsyncLifetime
    {
        private InProcessTestCluster? _cluster;

        public TestSchema Schema { get; private set; } = null!;

        public IGrainStorage Storage(string name = NsqStateStorage.Name) =>
            _cluster!.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(name);

        public async Task InitializeAsync()
        {
            if (PostgresTestServer.SkipReason is not null) return;
            Schema = await PostgresTestServer.CreateSchemaAsync();
            var builder = new InProcessTestClusterBuilder(1);
            builder.ConfigureSilo((_, silo) =>
            {
                silo.AddPostgresNsqStore(o => o.ConnectionString = Schema.ConnectionString);
                silo.Services.AddAdoNetGrainStorage(DeletingStorage, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
                    options.Configure<PostgresDatabase>((o, database) =>
                    {
                        o.Invariant = PostgresStoreSiloBuilderExtensions.NpgsqlInvariant;
                        o.DataSource = database.DataSource;
                        o.DeleteStateOnClear = true;
                    }));
            });
            _cluster = builder.Build();
            await _cluster.DeployAsync();
        }

        public async Task DisposeAsync()
        {
            if (_cluster is not null) await _cluster.DisposeAsync();
            if (Schema is not null) await Schema.DisposeAsync();
        }
    }

    private static GrainId StringKeyed() => GrainId.Create("test", "k" + Guid.NewGuid().ToString("N"));

    private static GrainState<Note> State(string text = "", string? etag = null) =>
        new(new Note { Text = text, Names = ["a", "b"] }, etag);

    [PostgresFact]
    public async Task Read_of_a_state_never_written_finds_no_record()
    {
        var state = State("untouched");

        await silo.Storage().ReadStateAsync("note", StringKeyed(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [PostgresFact]
    public async Task Write_then_read_returns_the_state_and_its_ETag()
    {
        var grain = StringKeyed();
        var written = State("hello");

        await silo.Storage().WriteStateAsync("note", grain, written);
        var read = State();
        await silo.Storage().ReadStateAsync("note", grain, read);

        Assert.Equal("1", written.ETag);
        Assert.Equal((true, "1", "hello"), (read.RecordExists, read.ETag, read.State!.Text));
        Assert.Equal(["a", "b"], read.State.Names);
    }

    [PostgresFact]
    public async Task Each_write_gives_a_new_ETag_and_state_names_and_key_kinds_are_kept_apart()
    {
        var grain = StringKeyed();
        var guid = Guid.NewGuid();
        var guidKeyed = GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateGuidKey(guid));
        var guidKeyedWithExtension = GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateGuidKey(guid, "ext"));
        var integerKeyed = GrainId.Create(GrainType.Create("test"), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(), "ext"));
        var storage = silo.Storage();
        var first = State("one");

        await storage.WriteStateAsync("note", grain, first);
        first.State!.Text = "two";
        await storage.WriteStateAsync("note", grain, first);
        await storage.WriteStateAsync("other", grain, State("other"));
        await storage.WriteStateAsync("note", guidKeyed, State("guid"));
        await storage.WriteStateAsync("note", guidKeyedWithExtension, State("guid+ext"));
        await storage.WriteStateAsync("note", integerKeyed, State("integer+ext"));

        Assert.Equal("2", first.ETag);
        foreach (var (name, id, text) in new[] { ("note", grain, "two"), ("other", grain, "other"), ("note", guidKeyed, "guid"),
                     ("note", guidKeyedWithExtension, "guid+ext"), ("note", integerKeyed, "integer+ext") })
        {
            var read = State();
            await storage.ReadStateAsync(name, id, read);
            Assert.Equal(text, read.State!.Text);
        }
    }

    [PostgresFact]
    public async Task Write_with_a_stale_ETag_throws_InconsistentStateException_and_keeps_the_stored_state()
    {
        var grain = StringKeyed();
        var owner = State("v1");
        await silo.Storage().WriteStateAsync("note", grain, owner);
        var stale = State("stale", owner.ETag);
        await silo.Storage().WriteStateAsync("note", grain, owner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage().WriteStateAsync("note", grain, stale));

        var read = State();
        await silo.Storage().ReadStateAsync("note", grain, read);
        Assert.Equal(("v1", "2"), (read.State!.Text, read.ETag));
    }

    [PostgresFact]
    public async Task A_first_write_of_a_state_another_activation_wrote_throws_InconsistentStateException()
    {
        var grain = StringKeyed();
        await silo.Storage().WriteStateAsync("note", grain, State("first"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage().WriteStateAsync("note", grain, State("second")));
    }

    [PostgresFact]
    public async Task Clear_empties_the_state_and_a_write_with_the_new_ETag_fills_it_again()
    {
        var grain = StringKeyed();
        var state = State("kept");
        await silo.Storage().WriteStateAsync("note", grain, state);

        await silo.Storage().ClearStateAsync("note", grain, state);
        var cleared = State("untouched");
        await silo.Storage().ReadStateAsync("note", grain, cleared);
        state.State = new Note { Text = "again" };
        await silo.Storage().WriteStateAsync("note", grain, state);
        var again = State();
        await silo.Storage().ReadStateAsync("note", grain, again);

        Assert.Equal((false, "2"), (cleared.RecordExists, cleared.ETag));
        Assert.Equal((true, "3", "again"), (again.RecordExists, again.ETag, again.State!.Text));
    }

    [PostgresFact]
    public async Task Clear_with_a_stale_ETag_throws_InconsistentStateException()
    {
        var grain = StringKeyed();
        var owner = State("v1");
        await silo.Storage().WriteStateAsync("note", grain, owner);
        var stale = State("stale", owner.ETag);
        stale.RecordExists = true;
        await silo.Storage().WriteStateAsync("note", grain, owner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => silo.Storage().ClearStateAsync("note", grain, stale));
    }

    [PostgresFact]
    public async Task With_DeleteStateOnClear_a_clear_deletes_the_row_and_a_later_first_write_starts_again()
    {
        var grain = StringKeyed();
        var storage = silo.Storage(DeletingStorage);
        var state = State("doomed");
        await storage.WriteStateAsync("note", grain, state);

        await storage.ClearStateAsync("note", grain, state);
        var rows = await silo.Schema.ScalarAsync<long>(
            $"SELECT count(*) FROM nsq_grain_state WHERE grain_key = '{grain.Key}' AND state_name = 'note'");
        await storage.WriteStateAsync("note", grain, State("reborn"));
        var read = State();
        await storage.ReadStateAsync("note", grain, read);

        Assert.Null(state.ETag);
        Assert.Equal(0, rows);
        Assert.Equal(("reborn", "1"), (read.State!.Text, read.ETag));
    }

    [PostgresFact]
    public async Task States_are_rows_of_nsq_grain_state_with_the_state_name_key_and_version()
    {
        var grain = StringKeyed();
        await silo.Storage().WriteStateAsync("note", grain, State("visible"));

        var row = await silo.Schema.ScalarAsync<string>(
            $"SELECT state_name || ' ' || grain_key || ' v' || version FROM nsq_grain_state WHERE grain_key = '{grain.Key}'");

        Assert.Equal($"note {grain.Key} v1", row);
    }
}
