using System.Buffers.Binary;
using System.Text;

namespace OrleansNsq.Tests.Bytes;

/// <summary>Client bytes as NSQ writes them: text (Latin-1, so "\xff" is one raw byte), big-endian i32 words, raw bytes.</summary>
internal static class Wire
{
    public static byte[] Bytes(params object[] parts)
    {
        var output = new List<byte>();
        foreach (var part in parts)
        {
            switch (part)
            {
                case string text:
                    output.AddRange(Encoding.Latin1.GetBytes(text));
                    break;
                case int word:
                    var buffer = new byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(buffer, word);
                    output.AddRange(buffer);
                    break;
                case byte[] raw:
                    output.AddRange(raw);
                    break;
                default:
                    throw new ArgumentException($"unsupported part {part}");
            }
        }

        return output.ToArray();
    }

    /// <summary>[i32 size][bytes] of a body.</summary>
    public static byte[] Body(string text) => Bytes(text.Length, text);

    /// <summary>The error frame data "E_CODE description" as text.</summary>
    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
