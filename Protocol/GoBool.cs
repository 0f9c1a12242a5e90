namespace OrleansNsq.Protocol;

/// <summary>Go's strconv.ParseBool, which NSQ's flags and go-nsq's options read booleans with.</summary>
public static class GoBool
{
    /// <summary>1, t, T, TRUE, true, True and their 0/f/F/FALSE/false/False counterparts; nothing else.</summary>
    public static bool TryParse(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
