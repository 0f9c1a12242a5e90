namespace OrleansNsq.Gateway.Flags;

/// <summary>How a flag's text becomes a configuration value.</summary>
public enum FlagKind
{
    Text,
    Integer,
    /// <summary>A Go duration as nsqd takes it ("60s", "1h0m0s", "250ms"), or a .NET TimeSpan ("00:01:00").</summary>
    Duration,
}

/// <param name="Name">The flag without dashes, nsqd's spelling.</param>
/// <param name="ConfigKey">Where it binds in .NET configuration.</param>
/// <param name="Default">The default as --help shows it.</param>
/// <param name="SiloOnly">Only a silo uses it (the store, the silo's own endpoints); the standalone Gateway process
/// accepts and ignores it, and leaves it out of its --help.</param>
public sealed record Flag(string Name, string ConfigKey, FlagKind Kind, string Default, string Help, bool SiloOnly = false);
