using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace OrleansNsq.Client.Internal;

/// <summary>V2 commands as the bytes written to the socket: <c>VERB params\n</c>, then <c>[i32 size][body]</c> if any.</summary>
internal static class Commands
{
    public static ReadOnlySpan<byte> Magic => "  V2"u8;

    public static ReadOnlySpan<byte> Nop => "NOP\n"u8;

    public static ReadOnlySpan<byte> Cls => "CLS\n"u8;

    public static byte[] Identify(ReadOnlySpan<byte> json) => WithBody("IDENTIFY", json);

    public static byte[] Sub(string topic, string channel) => Encoding.UTF8.GetBytes($"SUB {topic} {channel}\n");

    public static byte[] Rdy(int count) => Encoding.ASCII.GetBytes($"RDY {count.ToString(CultureInfo.InvariantCulture)}\n");

    public static byte[] Pub(string topic, ReadOnlySpan<byte> body) => WithBody($"PUB {topic}", body);

    public static byte[] Dpub(string topic, TimeSpan delay, ReadOnlySpan<byte> body) =>
        WithBody($"DPUB {topic} {((long)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}", body);

    /// <summary><c>MPUB topic\n[i32 body size][i32 count]</c> then count × <c>[i32 size][bytes]</c>.</summary>
    public static byte[] Mpub(string topic, IReadOnlyList<ReadOnlyMemory<byte>> bodies)
    {
        var line = Encoding.UTF8.GetBytes($"MPUB {topic}\n");
        var bodySize = 4;
        foreach (var body in bodies)
        {
            bodySize += 4 + body.Length;
        }

        var command = new byte[line.Length + 4 + bodySize];
        line.CopyTo(command, 0);
        var at = line.Length;
        BinaryPrimitives.WriteInt32BigEndian(command.AsSpan(at), bodySize);
        BinaryPrimitives.WriteInt32BigEndian(command.AsSpan(at + 4), bodies.Count);
        at += 8;
        foreach (var body in bodies)
        {
            BinaryPrimitives.WriteInt32BigEndian(command.AsSpan(at), body.Length);
            body.Span.CopyTo(command.AsSpan(at + 4));
            at += 4 + body.Length;
        }

        return command;
    }

    /// <summary><c>FIN id\n</c>, <c>TOUCH id\n</c> or <c>REQ id ms\n</c>, built around the 16 id bytes.</summary>
    public static byte[] WithId(ReadOnlySpan<byte> verb, ReadOnlySpan<byte> id, ReadOnlySpan<byte> suffix)
    {
        var command = new byte[verb.Length + 1 + id.Length + suffix.Length + 1];
        verb.CopyTo(command);
        command[verb.Length] = (byte)' ';
        id.CopyTo(command.AsSpan(verb.Length + 1));
        suffix.CopyTo(command.AsSpan(verb.Length + 1 + id.Length));
        command[^1] = (byte)'\n';
        return command;
    }

    private static byte[] WithBody(string line, ReadOnlySpan<byte> body)
    {
        var lineLength = Encoding.UTF8.GetByteCount(line);
        var command = new byte[lineLength + 1 + 4 + body.Length];
        Encoding.UTF8.GetBytes(line, command);
        command[lineLength] = (byte)'\n';
        BinaryPrimitives.WriteInt32BigEndian(command.AsSpan(lineLength + 1), body.Length);
        body.CopyTo(command.AsSpan(lineLength + 5));
        return command;
    }
}
