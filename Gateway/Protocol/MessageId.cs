namespace OrleansNsq.Gateway.Protocol;

/// <summary>
/// A message id on the wire: 16 ASCII lowercase hex digits of a 64-bit big-endian value (nsqd/guid.go Hex). Clients
/// echo it in FIN/REQ/TOUCH as opaque bytes.
/// </summary>
public static class MessageId
{
    /// <summary>Length of an id on the wire (nsqd MsgIDLength).</summary>
    public const int Length = 16;

    /// <summary>Writes the 16 lowercase hex digits of <paramref name="id"/>.</summary>
    public static void Format(long id, Span<byte> destination16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination16.Length, Length);
        var value = (ulong)id;
        for (var i = Length - 1; i >= 0; i--)
        {
            destination16[i] = HexDigits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>
    /// Parses exactly 16 <b>lowercase</b> hex digits. Uppercase is rejected on purpose: nsqd compares ids as raw bytes,
    /// so an uppercased id is never in flight there either.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> hex16, out long id)
    {
        id = 0;
        if (hex16.Length != Length)
        {
            return false;
        }

        ulong value = 0;
        foreach (var c in hex16)
        {
            int digit;
            if ((uint)(c - '0') <= 9)
            {
                digit = c - '0';
            }
            else if ((uint)(c - 'a') <= 5)
            {
                digit = c - 'a' + 10;
            }
            else
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        id = (long)value;
        return true;
    }

    public static string ToString(long id)
    {
        Span<byte> hex = stackalloc byte[Length];
        Format(id, hex);
        return System.Text.Encoding.ASCII.GetString(hex);
    }

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;
}
