using OrleansNsq.Admin.Hosting;

namespace OrleansNsq.Gateway.Flags;

/// <summary>What the command line asked for: configuration values, --help, or an error to print.</summary>
public sealed record CommandLine(IReadOnlyDictionary<string, string?> Values, bool Help, string? Error)
{
    /// <summary><c>-version</c>: print <see cref="NsqFlags.VersionText"/> and exit 0, as nsqd does.</summary>
    public bool Version { get; init; }

    /// <summary>Go flag syntax as nsqd takes it: <c>-flag value</c>, <c>--flag value</c>, <c>-flag=value</c>.
    /// A <c>--config</c> file is read in place; flags given on the command line win over it.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var fromFile = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var fromFlags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var listsFromFile = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var listsFromFlags = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!GoFlagSyntax.TrySplit(arg, out var name, out var value)) return Fail($"unexpected argument \"{arg}\"");
            if (name is "h" or "help") return new CommandLine(fromFlags, true, null);
            if (name == "version" && value is null or "true") return new CommandLine(fromFlags, false, null) { Version = true };
            var flag = NsqFlags.Find(name);
            if (value is null && flag is { Kind: FlagKind.Bool or FlagKind.BoolOrWord }) value = "true";
            if (value is null)
            {
                if (i + 1 >= args.Count) return Fail($"flag needs an argument: -{name}");
                value = args[++i];
            }
            if (name == NsqFlags.ConfigFlag)
            {
                if (!File.Exists(value)) return Fail($"config file {value} not found");
                try
                {
                    foreach (var setting in TomlConfigFile.Read(value))
                    {
                        var fileFlag = NsqFlags.FindFileKey(setting.Flag);
                        if (fileFlag is null) continue; // nsqd options we do not have yet
                        if (fileFlag.Kind == FlagKind.List)
                        {
                            listsFromFile[fileFlag.ConfigKey] = setting.Items is { } items ? [.. items]
                                : [.. setting.Value!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
                            continue;
                        }
                        if (setting.Value is not { } fileValue) return Fail($"{value}: {setting.Flag.Replace('-', '_')}: expected a single value, got an array");
                        var converted = NsqFlags.ToConfigValue(fileFlag, fileValue, out var fileError);
                        if (fileError is not null) return Fail(fileError);
                        fromFile[fileFlag.ConfigKey] = converted;
                    }
                }
                catch (FormatException ex)
                {
                    return Fail(ex.Message);
                }
                continue;
            }
            if (flag is null) return Fail($"flag provided but not defined: -{name}");
            if (flag.Kind == FlagKind.List)
            {
                if (!listsFromFlags.TryGetValue(flag.ConfigKey, out var list)) listsFromFlags[flag.ConfigKey] = list = [];
                // As nsqd's array flags: repeated, or comma separated.
                foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (flag.ConfigKey == NsqFlags.E2ePercentilesKey && !double.TryParse(item, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                        return Fail($"Could not parse: {item}");
                    list.Add(item);
                }
                continue;
            }
            var configValue = NsqFlags.ToConfigValue(flag, value, out var error);
            if (error is not null) return Fail(error);
            fromFlags[flag.ConfigKey] = configValue;
        }
        foreach (var (key, value) in fromFlags) fromFile[key] = value;
        // a repeated flag replaces the file's whole list, as in nsqd
        foreach (var (key, values) in listsFromFlags) listsFromFile[key] = values;
        foreach (var (key, values) in listsFromFile)
        {
            for (var i = 0; i < values.Count; i++) fromFile[$"{key}:{i}"] = values[i];
        }
        return new CommandLine(fromFile, false, null);
    }

    private static CommandLine Fail(string error) => new(new Dictionary<string, string?>(), false, error);
}
