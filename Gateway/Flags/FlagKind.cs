namespace OrleansNsq.Gateway.Flags;

/// <summary>How a flag's text becomes a configuration value.</summary>
public enum FlagKind
{
    Text,
    Integer,
    /// <summary>A Go duration as nsqd takes it ("60s", "1h0m0s", "250ms"), or a .NET TimeSpan ("00:01:00").</summary>
    Duration,
    /// <summary>Repeatable (<c>--lookupd-tcp-address a --lookupd-tcp-address b</c>): the values bind as an array,
    /// <c>Key:0</c>, <c>Key:1</c>…; in the --config file a TOML array of strings.</summary>
    List,
    /// <summary>A Go boolean flag: <c>-flag</c> alone is true, <c>-flag=false</c> sets it off (Go's flag package
    /// takes no separate value for a boolean: <c>-flag false</c> leaves "false" as an argument).</summary>
    Bool,
    /// <summary>A Go boolean flag that also takes words (nsqd's <c>--tls-required=tcp-https</c>): alone it is true,
    /// a value comes after <c>=</c>; the words are <see cref="Flag.Words"/>.</summary>
    BoolOrWord,
}

/// <param name="Name">The flag without dashes, nsqd's spelling.</param>
/// <param name="ConfigKey">Where it binds in .NET configuration.</param>
/// <param name="Default">The default as --help shows it.</param>
/// <param name="FileKey">Its key in nsqd's --config file with '_' → '-' when that is not the flag's name
/// (<c>nsqlookupd_tcp_addresses</c> for --lookupd-tcp-address).</param>
/// <param name="SiloOnly">Only a silo uses it (the store, the silo's own endpoints); the standalone Gateway process
/// accepts and ignores it, and leaves it out of its --help.</param>
/// <param name="Words">For <see cref="FlagKind.BoolOrWord"/>: the words it takes besides Go's booleans.</param>
/// <param name="Ignored">For an nsqd flag that has no meaning here: why. It is accepted (command line and --config
/// file), stored under <see cref="NsqFlags.IgnoredSection"/>, and logged once at start when given.</param>
public sealed record Flag(string Name, string ConfigKey, FlagKind Kind, string Default, string Help, string? FileKey = null, bool SiloOnly = false,
    string? Ignored = null, string[]? Words = null);
