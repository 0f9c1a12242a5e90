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

    /// <summary>Default <see cref="DefaultFileName"/>.</summary>
    public string FileName { get; set; } = DefaultFileName;

    /// <summary>Serializes grain state into the <c>payload</c> column. Default: the silo's
    /// <see cref="IGrainStorageSerializer"/> (Orleans' JSON serializer).</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataPath.Length == 0 ? "." : DataPath), FileName);
}
