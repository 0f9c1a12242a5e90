namespace OrleansNsq.Gateway.Flags;

/// <summary>
/// nsqd's <c>--config</c> file: flat TOML, <c>key = value</c> lines whose keys are flag names with '-' → '_'
/// (<c>mem_queue_size = 10000</c>, <c>msg_timeout = "60s"</c>). Tables are skipped. An array on one line comes back as
/// its text (<c>["a:4160", "b:4160"]</c>), for <see cref="ReadStringArray"/>.
/// </summary>
public static class TomlConfigFile
{
    public static IEnumerable<(string Flag, string Value)> Read(string path)
    {
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0 || line.StartsWith('[')) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"{path}:{lineNumber}: expected key = value");
            var key = line[..eq].Trim().Replace('_', '-');
            var value = line[(eq + 1)..].Trim();
            if (value.StartsWith('['))
            {
                yield return (key, value);
                continue;
            }
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            yield return (key, value);
        }
    }

    /// <summary>A one-line TOML array of strings or numbers: <c>["a", "b"]</c>, <c>[1.0, 0.99]</c>.</summary>
    public static IReadOnlyList<string> ReadStringArray(string value)
    {
        var inner = value.Trim();
        if (inner.Length < 2 || inner[0] != '[' || inner[^1] != ']') throw new FormatException($"expected an array of strings, got {value}");
        var items = new List<string>();
        foreach (var raw in inner[1..^1].Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0) continue; // a trailing comma
            if (item.Length >= 2 && item[0] == '"' && item[^1] == '"') items.Add(item[1..^1]);
            // numbers, as e2e_processing_latency_percentiles = [1.0, 0.99]
            else if (double.TryParse(item, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)) items.Add(item);
            else throw new FormatException($"expected an array of strings or numbers, got {value}");
        }
        return items;
    }

    private static string StripComment(string line)
    {
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') inString = !inString;
            else if (line[i] == '#' && !inString) return line[..i];
        }
        return line;
    }
}
