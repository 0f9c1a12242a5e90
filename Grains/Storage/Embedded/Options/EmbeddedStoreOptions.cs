using Orleans.Storage;

namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>Where the embedded (SQLite) store keeps its one database file, and how it serializes grain state.</summary>
public sealed class EmbeddedStoreOptions : IStorageProviderSerializerOptions
{
    /// <summary>The database file's name inside <see cref="DataPath"/>.</summary>
    public const string DefaultFileName = "orleans-nsq.db";

    /// <summary>nsqd's --data-path: the directory of the database file, created at start when missing.
    /// Default: empty, meaning the working directory (as nsqd).</summary>
    public string DataPath { get; set; } = "";

    /// <summary>The most the database file may grow to, in bytes (SQLite's <c>max_page_count</c>); 0 = no limit but
    /// the disk's. Past it a commit fails as on a full disk: publishes answer E_PUB_FAILED until consumers free space.
    /// Bound from <c>Storage:MaxDatabaseBytes</c> by the Silo.</summary>
    public long MaxDatabaseBytes { get; set; }

    /// <summary>Written behind, how long a message log commit may stay unsynced (in the WAL and the OS's page cache,
    /// safe from a crash of the process, not from a power loss): commits within it skip the fsync. Zero (the default):
    /// every commit is fsync'd, as --mem-queue-size=0 needs. The Silo sets <see cref="WriteBehindSyncInterval"/>
    /// when --mem-queue-size is above 0.</summary>
    public TimeSpan LogSyncInterval { get; set; }

    /// <summary>The Silo's <see cref="LogSyncInterval"/> at --mem-queue-size above 0: 100 ms.</summary>
    public static readonly TimeSpan WriteBehindSyncInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Default <see cref="DefaultFileName"/>.</summary>
    public string FileName { get; set; } = DefaultFileName;

    /// <summary>Serializes grain state into the <c>payload</c> column. Default: the silo's
    /// <see cref="IGrainStorageSerializer"/> (Orleans' JSON serializer).</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataPath.Length == 0 ? "." : DataPath), FileName);
}
