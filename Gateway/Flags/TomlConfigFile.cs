using System.Globalization;
using Tomlyn;
using Tomlyn.Model;

namespace OrleansNsq.Gateway.Flags;

/// <summary>One top-level key of a config file: a scalar as its text, or an array as its items' texts.</summary>
public sealed record TomlSetting(string Flag, string? Value, IReadOnlyList<string>? Items);

/// <summary>
/// nsqd's <c>--config</c> file, read by a TOML parser (Tomlyn), so any valid nsqd config loads: comments, multi-line
/// arrays, literal strings, numbers with underscores. Keys are flag names with '-' → '_' (<c>mem_queue_size = 10000</c>,
/// <c>msg_timeout = "60s"</c>). Tables are nsqd's own business (it has none) and are skipped. Values come back as the
/// text a flag would carry: numbers in invariant culture, booleans as <c>true</c>/<c>false</c>.
/// </summary>
public static class TomlConfigFile
{
    /// <summary>The file's top-level settings; a <see cref="FormatException"/> names the file, line and column of a
    /// syntax error.</summary>
    public static IReadOnlyList<TomlSetting> Read(string path)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(path), (TomlSerializerOptions?)null)!;
        }
        catch (TomlException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
        var settings = new List<TomlSetting>();
        foreach (var (key, value) in table)
        {
            var flag = key.Replace('_', '-');
            switch (value)
            {
                case TomlTable or TomlTableArray:
                    continue;
                case TomlArray array:
                    settings.Add(new TomlSetting(flag, null, [.. array.Select(item => Text(path, key, item))]));
                    break;
                default:
                    settings.Add(new TomlSetting(flag, Text(path, key, value), null));
                    break;
            }
        }
        return settings;
    }

    private static string Text(string path, string key, object? value) => value switch
    {
        string text => text,
        bool flag => flag ? "true" : "false",
        long number => number.ToString(CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => throw new FormatException($"{path}: {key}: expected a string, number or boolean, got {value}"),
    };
}
