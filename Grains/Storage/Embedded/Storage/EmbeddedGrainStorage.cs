using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>
/// Orleans grain storage in the embedded SQLite file: one row per (grain id, state name) in <c>grain_state</c>, the
/// state serialized by <see cref="EmbeddedStoreOptions.GrainStorageSerializer"/>. The ETag is the row's version
/// number: a write or clear whose ETag is not the stored one throws <see cref="InconsistentStateException"/>, as
/// Orleans' storage contract asks. Meant for small, rarely written state (topic and channel metadata), never for
/// messages: each write is its own fsync'd transaction.
/// </summary>
internal sealed partial class EmbeddedGrainStorage(string name, EmbeddedDatabase database, EmbeddedStoreOptions options,
    ILogger<EmbeddedGrainStorage> logger, TimeProvider? time = null) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly EmbeddedDatabase _database = database;
    private readonly IGrainStorageSerializer _serializer = options.GrainStorageSerializer;

    public string DatabasePath => _database.Path;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(OptionFormattingUtilities.Name<EmbeddedGrainStorage>(name), ServiceLifecycleStage.ApplicationServices,
            _ => { Open(); return Task.CompletedTask; },
            _ => { Dispose(); return Task.CompletedTask; });

    /// <summary>Opens (creates) the database: at silo start, or directly in tests.</summary>
    public void Open()
    {
        _database.Open();
        LogOpened(logger, name, _database.Path);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.ToString();
        var row = _database.Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT etag, payload FROM grain_state WHERE grain_id = $id AND state_name = $name;";
            command.Parameters.AddWithValue("$id", key);
            command.Parameters.AddWithValue("$name", stateName);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (ETag: reader.GetInt64(0), Payload: (byte[])reader.GetValue(1)) : ((long ETag, byte[] Payload)?)null;
        });
        if (row is not { } found)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
        T? state;
        try
        {
            state = _serializer.Deserialize<T>(new BinaryData(found.Payload));
        }
        catch (Exception ex)
        {
            throw new EmbeddedStoreException(
                $"embedded store {_database.Path}: state {stateName} of {key} cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
        grainState.State = state ?? Activator.CreateInstance<T>();
        grainState.ETag = ETagText(found.ETag);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.ToString();
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var expected = ParseETag(grainState.ETag, stateName, key);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var written = await _database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = expected is null
                ? "INSERT INTO grain_state (grain_id, state_name, etag, payload, written_at_ms) VALUES ($id, $name, 1, $payload, $now) ON CONFLICT DO NOTHING;"
                : "UPDATE grain_state SET etag = etag + 1, payload = $payload, written_at_ms = $now WHERE grain_id = $id AND state_name = $name AND etag = $etag;";
            command.Parameters.AddWithValue("$id", key);
            command.Parameters.AddWithValue("$name", stateName);
            command.Parameters.AddWithValue("$payload", payload);
            command.Parameters.AddWithValue("$now", now);
            if (expected is { } etag) command.Parameters.AddWithValue("$etag", etag);
            return command.ExecuteNonQuery() == 1 ? (expected ?? 0) + 1 : Conflict(connection, key, stateName);
        }).ConfigureAwait(false);
        if (written < 0) throw Inconsistent("write", stateName, key, grainState.ETag, written);
        grainState.ETag = ETagText(written);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.ToString();
        var expected = ParseETag(grainState.ETag, stateName, key);
        var outcome = await _database.WriteAsync(connection =>
        {
            if (expected is null)
            {
                // Nothing was stored as far as the caller knows: fine if that is still true.
                var stored = Conflict(connection, key, stateName);
                return stored == NotStored ? 0 : stored;
            }
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM grain_state WHERE grain_id = $id AND state_name = $name AND etag = $etag;";
            command.Parameters.AddWithValue("$id", key);
            command.Parameters.AddWithValue("$name", stateName);
            command.Parameters.AddWithValue("$etag", expected.Value);
            return command.ExecuteNonQuery() == 1 ? 0 : Conflict(connection, key, stateName);
        }).ConfigureAwait(false);
        if (outcome != 0) throw Inconsistent("clear", stateName, key, grainState.ETag, outcome);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    public void Dispose() => _database.Dispose();

    /// <summary>Stored ETag when a conditional statement matched nothing: the negated stored version, or
    /// <see cref="NotStored"/> when there is no row.</summary>
    private const long NotStored = long.MinValue;

    private static long Conflict(SqliteConnection connection, string key, string stateName)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag FROM grain_state WHERE grain_id = $id AND state_name = $name;";
        command.Parameters.AddWithValue("$id", key);
        command.Parameters.AddWithValue("$name", stateName);
        return command.ExecuteScalar() is long stored ? -stored : NotStored;
    }

    private InconsistentStateException Inconsistent(string operation, string stateName, string key, string? currentETag, long conflict)
    {
        var stored = conflict == NotStored ? null : ETagText(-conflict);
        LogETagMismatch(logger, operation, stateName, key, stored ?? "(none)", currentETag ?? "(none)");
        return new InconsistentStateException(
            $"embedded store: {operation} of state {stateName} of {key} expected ETag {currentETag ?? "(none)"} but the stored one is {stored ?? "(none)"}",
            stored, currentETag);
    }

    private static long? ParseETag(string? etag, string stateName, string key)
    {
        if (etag is null) return null;
        if (long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        throw new InconsistentStateException($"embedded store: ETag {etag} of state {stateName} of {key} was not issued by this store", null, etag);
    }

    private static string ETagText(long version) => version.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(3300, LogLevel.Information, "Embedded grain storage {Name} opened {Path}")]
    private static partial void LogOpened(ILogger logger, string name, string path);

    [LoggerMessage(3301, LogLevel.Warning, "Embedded grain storage: {Operation} of {StateName} of {GrainId} refused: stored ETag {Stored}, caller's {Current}")]
    private static partial void LogETagMismatch(ILogger logger, string operation, string stateName, string grainId, string stored, string current);
}
