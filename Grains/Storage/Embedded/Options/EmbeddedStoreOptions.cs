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

    /// <summary>Default <see cref="DefaultFileName"/>.</summary>
    public string FileName { get; set; } = DefaultFileName;

    /// <summary>Serializes grain state into the <c>payload</c> column. Default: the silo's
    /// <see cref="IGrainStorageSerializer"/> (Orleans' JSON serializer).</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataPath.Length == 0 ? "." : DataPath), FileName);
}
