using System.Globalization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>
/// The part of semver nsqadmin uses (blang/semver): compare versions to mark producers older than the newest one
/// <c>out_of_date</c>. A version that does not parse counts as 0.0.0, as in clusterinfo.
/// </summary>
public readonly record struct SemanticVersion(long Major, long Minor, long Patch, string Pre) : IComparable<SemanticVersion>
{
    public static readonly SemanticVersion Zero = new(0, 0, 0, "");

    public static SemanticVersion ParseOrZero(string? text) => TryParse(text, out var version) ? version : Zero;

    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var plus = text.IndexOf('+');
        if (plus >= 0) text = text[..plus];
        var dash = text.IndexOf('-');
        var pre = dash >= 0 ? text[(dash + 1)..] : "";
        var parts = (dash >= 0 ? text[..dash] : text).Split('.');
        if (parts.Length != 3) return false;
        var numbers = new long[3];
        for (var i = 0; i < 3; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return false;
        version = new SemanticVersion(numbers[0], numbers[1], numbers[2], pre);
        return true;
    }

    /// <summary>semver's order: numbers, then a pre-release sorts before the release, identifiers compared in turn.</summary>
    public int CompareTo(SemanticVersion other)
    {
        var byNumber = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byNumber != 0) return byNumber;
        if (Pre.Length == 0 || other.Pre.Length == 0) return other.Pre.Length.CompareTo(Pre.Length) switch { 0 => 0, var c => c < 0 ? -1 : 1 };
        var mine = Pre.Split('.');
        var theirs = other.Pre.Split('.');
        for (var i = 0; i < Math.Min(mine.Length, theirs.Length); i++)
        {
            var aNumeric = long.TryParse(mine[i], NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var bNumeric = long.TryParse(theirs[i], NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            var c = (aNumeric, bNumeric) switch
            {
                (true, true) => a.CompareTo(b),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(mine[i], theirs[i]),
            };
            if (c != 0) return c;
        }
        return mine.Length.CompareTo(theirs.Length);
    }

    public bool LessThan(SemanticVersion other) => CompareTo(other) < 0;
}
