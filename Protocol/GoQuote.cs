using System.Globalization;
using System.Text;

namespace OrleansNsq.Protocol;

/// <summary>
/// Go's <c>%q</c> of a string (strconv.Quote), which nsqd uses for names in error texts such as
/// <c>E_BAD_TOPIC PUB topic name "a b" is not valid</c>: printable runes stay as they are, <c>"</c> and <c>\</c> are
/// escaped, control runes become <c>\a \b \f \n \r \t \v</c> or <c>\xNN</c>, other non-printable runes
/// <c>\uXXXX</c>/<c>\UXXXXXXXX</c>, and each byte of invalid UTF-8 <c>\xNN</c>.
/// </summary>
public static class GoQuote
{
    public static string Quote(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length + 2);
        text.Append('"');
        while (!raw.IsEmpty)
        {
            int width;
            if (raw[0] < 0x80)
            {
                width = 1;
                AppendRune(text, new Rune(raw[0]));
            }
            else if (Rune.DecodeFromUtf8(raw, out var rune, out width) == System.Buffers.OperationStatus.Done)
            {
                AppendRune(text, rune);
            }
            else
            {
                // Go decodes invalid UTF-8 one byte at a time (RuneError, width 1).
                width = 1;
                AppendHexByte(text, raw[0]);
            }

            raw = raw[width..];
        }

        text.Append('"');
        return text.ToString();
    }

    private static void AppendRune(StringBuilder text, Rune rune)
    {
        var value = rune.Value;
        if (value is '"' or '\\')
        {
            text.Append('\\').Append((char)value);
            return;
        }

        if (IsPrint(rune))
        {
            text.Append(rune.ToString());
            return;
        }

        switch (value)
        {
            case '\a': text.Append("\\a"); return;
            case '\b': text.Append("\\b"); return;
            case '\f': text.Append("\\f"); return;
            case '\n': text.Append("\\n"); return;
            case '\r': text.Append("\\r"); return;
            case '\t': text.Append("\\t"); return;
            case '\v': text.Append("\\v"); return;
        }

        if (value < ' ' || value == 0x7F)
        {
            AppendHexByte(text, (byte)value);
        }
        else if (value < 0x10000)
        {
            text.Append("\\u").Append(value.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append("\\U").Append(value.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    private static void AppendHexByte(StringBuilder text, byte value) =>
        text.Append("\\x").Append(value.ToString("x2", CultureInfo.InvariantCulture));

    // Go's unicode.IsPrint: categories L, M, N, P, S and the ASCII space; no other space, control or format rune.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value < 0x80)
        {
            return rune.Value is >= 0x20 and < 0x7F;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
            _ => true,
        };
    }
}
