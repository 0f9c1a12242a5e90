namespace OrleansNsq.Client;

/// <summary>nsqd answered a command with an error frame: <c>"E_CODE description"</c>, split on the first space.</summary>
public sealed class NsqErrorException : Exception
{
    public NsqErrorException(string code, string description)
        : base(description.Length == 0 ? code : $"{code} {description}")
    {
        Code = code;
        Description = description;
    }

    /// <summary>The NSQ error code, e.g. <c>E_BAD_TOPIC</c>, <c>E_PUB_FAILED</c>, <c>E_BAD_MESSAGE</c>.</summary>
    public string Code { get; }

    /// <summary>The text after the code (may be empty: a bad magic is answered with the bare code).</summary>
    public string Description { get; }

    /// <summary>Parses an error frame's data.</summary>
    public static NsqErrorException FromFrame(ReadOnlySpan<byte> data)
    {
        var text = System.Text.Encoding.UTF8.GetString(data);
        var space = text.IndexOf(' ');
        return space < 0 ? new NsqErrorException(text, string.Empty) : new NsqErrorException(text[..space], text[(space + 1)..]);
    }
}

/// <summary>The connection to nsqd could not be opened, or closed before the command was answered.</summary>
public sealed class NsqConnectionException : Exception
{
    public NsqConnectionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
