namespace OrleansNsq.Gateway.Flags;

/// <summary>
/// nsqd's <c>--config</c> file: flat TOML, <c>key = value</c> lines whose keys are flag names with '-' → '_'
/// (<c>mem_queue_size = 10000</c>, <c>msg_timeout = "60s"</c>). Tables and arrays of nsqd-only settings are skipped.
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
            if (value.StartsWith('[')) continue; // lists (lookupd addresses, auth) are not flags of ours yet
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            yield return (key, value);
        }
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
