namespace OrleansNsq.Admin.Hosting;

/// <summary>
/// One command-line argument as Go's flag package reads it, for every program here that takes NSQ's flags:
/// <c>-flag</c>, <c>--flag</c>, <c>-flag=value</c>. A value given after a space is the caller's next argument.
/// </summary>
public static class GoFlagSyntax
{
    /// <summary>The flag's name and its <c>=</c> value (null when none); false when <paramref name="arg"/> is not a flag.</summary>
    public static bool TrySplit(string arg, out string name, out string? value)
    {
        value = null;
        name = arg.TrimStart('-');
        if (!arg.StartsWith('-')) return false;
        var eq = name.IndexOf('=');
        if (eq >= 0)
        {
            value = name[(eq + 1)..];
            name = name[..eq];
        }
        return true;
    }
}
