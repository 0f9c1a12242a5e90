namespace OrleansNsq.Tools.ToFile;

/// <summary>nsq_to_file's options (apps/nsq_to_file/options.go), with NSQ 1.3's defaults.</summary>
internal sealed record ToFileSettings
{
    public const string DefaultChannel = "nsq_to_file";
    public const string DefaultOutputDir = "/tmp";
    public const string DefaultDatetimeFormat = "%Y-%m-%d_%H";
    public const string DefaultFilenameFormat = "<TOPIC>.<HOST><REV>.<DATETIME>.log";
    public const int DefaultGzipLevel = 6;
    public const int DefaultMaxInFlight = 200;
    public static readonly TimeSpan DefaultSyncInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTopicRefresh = TimeSpan.FromMinutes(1);

    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>A .NET regex; topics listed by lookupd's /topics that match it are consumed too.</summary>
    public string TopicPattern { get; init; } = string.Empty;

    public TimeSpan TopicRefresh { get; init; } = DefaultTopicRefresh;

    public string Channel { get; init; } = DefaultChannel;

    public IReadOnlyList<string> NsqdTcpAddresses { get; init; } = [];

    public IReadOnlyList<string> LookupdHttpAddresses { get; init; } = [];

    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    /// <summary>TLS, compression and AUTH of the connections to nsqd.</summary>
    public Connection.ConnectionSettings Connection { get; init; } = OrleansNsq.Tools.Connection.ConnectionSettings.Plain;

    public string OutputDir { get; init; } = DefaultOutputDir;

    /// <summary>Where files are written until rotated or closed; the output dir when not given.</summary>
    public string WorkDir { get; init; } = DefaultOutputDir;

    public string DatetimeFormat { get; init; } = DefaultDatetimeFormat;

    public string FilenameFormat { get; init; } = DefaultFilenameFormat;

    public string HostIdentifier { get; init; } = string.Empty;

    public bool Gzip { get; init; }

    public int GzipLevel { get; init; } = DefaultGzipLevel;

    public bool SkipEmptyFiles { get; init; }

    /// <summary>Rotate once a file holds more than this many bytes (0: never).</summary>
    public long RotateSize { get; init; }

    /// <summary>Rotate a file opened longer ago than this (zero: never).</summary>
    public TimeSpan RotateInterval { get; init; }

    public TimeSpan SyncInterval { get; init; } = DefaultSyncInterval;

    public TimeSpan HttpRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
