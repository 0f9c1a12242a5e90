using System.Diagnostics;
using System.Text;

namespace OrleansNsq.Client.Diagnostics;

/// <summary>
/// W3C trace context carried in front of a body, since NSQ messages have no headers (opt-in on both sides:
/// <c>TraceContextEnvelope</c>). The format, for any language to read and write:
/// <code>
/// 0x1E 't' 'p' '1' ' '  traceparent  [ ' ' tracestate ]  '\n'  body
/// </code>
/// 0x1E (ASCII record separator) starts no JSON, text or protobuf body. <c>traceparent</c> is the W3C header's 55
/// characters (<c>00-{32 hex trace id}-{16 hex parent id}-{2 hex flags}</c>); <c>tracestate</c>, when present, is the
/// W3C header's value (no newline). A body that does not start with a well-formed envelope is passed on whole.
/// </summary>
public static class TraceEnvelope
{
    /// <summary>The 5 bytes every envelope starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "\u001Etp1 "u8;

    private const int TraceParentLength = 55;

    /// <summary>Limit on the header line: magic, traceparent and W3C's 512-character tracestate, with margin.</summary>
    private const int MaxHeaderLength = 1024;

    /// <summary>The body with <paramref name="context"/> in front; the body itself when the context is empty.</summary>
    public static ReadOnlyMemory<byte> Wrap(ReadOnlyMemory<byte> body, ActivityContext context)
    {
        if (context == default)
        {
            return body;
        }

        var flags = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
        var header = $"{Encoding.ASCII.GetString(Magic)}00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{flags}"
                     + (string.IsNullOrEmpty(context.TraceState) ? "" : " " + context.TraceState) + "\n";
        var wrapped = new byte[Encoding.ASCII.GetByteCount(header) + body.Length];
        var written = Encoding.ASCII.GetBytes(header, wrapped);
        body.Span.CopyTo(wrapped.AsSpan(written));
        return wrapped;
    }

    /// <summary>Reads an envelope at the start of <paramref name="body"/>: the context and the length of the header
    /// (what to skip to reach the body). False, and nothing to skip, when there is none or it is malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out ActivityContext context, out int headerLength)
    {
        context = default;
        headerLength = 0;
        if (!body.StartsWith(Magic))
        {
            return false;
        }

        var end = body[..Math.Min(body.Length, MaxHeaderLength)].IndexOf((byte)'\n');
        if (end < Magic.Length + TraceParentLength)
        {
            return false;
        }

        var line = body[Magic.Length..end];
        var traceParent = Encoding.ASCII.GetString(line[..TraceParentLength]);
        string? traceState = null;
        if (line.Length > TraceParentLength)
        {
            if (line[TraceParentLength] != (byte)' ')
            {
                return false;
            }

            traceState = Encoding.ASCII.GetString(line[(TraceParentLength + 1)..]);
        }

        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context))
        {
            return false;
        }

        headerLength = end + 1;
        return true;
    }
}
