namespace OrleansNsq.Grains.Storage.Embedded;

/// <summary>The embedded store cannot be used: its data path cannot be created or written, or its file is not a
/// database this program can read. The message names the file and the cause, for the operator.</summary>
public sealed class EmbeddedStoreException(string message, Exception? inner = null) : Exception(message, inner);
