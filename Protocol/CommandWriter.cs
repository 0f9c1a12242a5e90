using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansNsq.Protocol;

/// <summary>
/// The client's side of V2: every command written straight into the connection's output, without allocating. A
/// command is <c>VERB params\n</c>, then <c>[i32 size][body]</c> for the ones that carry a body (IDENTIFY, AUTH,
/// PUB, DPUB, MPUB). Names are written as given (UTF-8): the server, not the writer, refuses an invalid one.
/// </summary>
public static class CommandWriter
{
    /// <summary>A command line's parameters never come near this (names ≤ 64 bytes, one number); a body is apart.</summary>
    private const int MaxLineLength = 256;

    /// <summary>The protocol magic, written once before the first command.</summary>
    public static void WriteMagic(IBufferWriter<byte> output) => output.Write(ProtocolMagic.V2);

    /// <summary><c>IDENTIFY\n[i32 size][json]</c>.</summary>
    public static void WriteIdentify(IBufferWriter<byte> output, ReadOnlySpan<byte> json) => WriteWithBody(output, "IDENTIFY"u8, json);

    /// <summary><c>AUTH\n[i32 size][secret]</c>.</summary>
    public static void WriteAuth(IBufferWriter<byte> output, ReadOnlySpan<byte> secret) => WriteWithBody(output, "AUTH"u8, secret);

    /// <summary><c>SUB topic channel\n</c>.</summary>
    public static void WriteSub(IBufferWriter<byte> output, string topic, string channel)
    {
        var line = new LineWriter(output, "SUB"u8, 2 * (topic.Length + channel.Length));
        line.Name(topic);
        line.Name(channel);
        line.End();
    }

    /// <summary><c>RDY count\n</c>.</summary>
    public static void WriteRdy(IBufferWriter<byte> output, long count)
    {
        var line = new LineWriter(output, "RDY"u8, 0);
        line.Number(count);
        line.End();
    }

    /// <summary><c>PUB topic\n[i32 size][body]</c>.</summary>
    public static void WritePub(IBufferWriter<byte> output, string topic, ReadOnlySpan<byte> body)
    {
        var line = new LineWriter(output, "PUB"u8, 2 * topic.Length);
        line.Name(topic);
        line.End();
        WriteSized(output, body);
    }

    /// <summary><c>DPUB topic defer_ms\n[i32 size][body]</c>.</summary>
    public static void WriteDpub(IBufferWriter<byte> output, string topic, long deferMs, ReadOnlySpan<byte> body)
    {
        var line = new LineWriter(output, "DPUB"u8, 2 * topic.Length);
        line.Name(topic);
        line.Number(deferMs);
        line.End();
        WriteSized(output, body);
    }

    /// <summary><c>MPUB topic\n[i32 body size][i32 count]</c> then count × <c>[i32 size][bytes]</c>.</summary>
    public static void WriteMpub(IBufferWriter<byte> output, string topic, IReadOnlyList<ReadOnlyMemory<byte>> bodies)
    {
        var line = new LineWriter(output, "MPUB"u8, 2 * topic.Length);
        line.Name(topic);
        line.End();
        var bodySize = 4;
        for (var i = 0; i < bodies.Count; i++) bodySize += 4 + bodies[i].Length;
        WriteInt32(output, bodySize);
        WriteInt32(output, bodies.Count);
        for (var i = 0; i < bodies.Count; i++) WriteSized(output, bodies[i].Span);
    }

    /// <summary><c>FIN id\n</c>; <paramref name="id"/> is the message's 16 id bytes as received.</summary>
    public static void WriteFin(IBufferWriter<byte> output, ReadOnlySpan<byte> id) => WriteWithId(output, "FIN"u8, id);

    /// <summary><c>TOUCH id\n</c>.</summary>
    public static void WriteTouch(IBufferWriter<byte> output, ReadOnlySpan<byte> id) => WriteWithId(output, "TOUCH"u8, id);

    /// <summary><c>REQ id timeout_ms\n</c>.</summary>
    public static void WriteReq(IBufferWriter<byte> output, ReadOnlySpan<byte> id, long timeoutMs)
    {
        var line = new LineWriter(output, "REQ"u8, id.Length);
        line.Raw(id);
        line.Number(timeoutMs);
        line.End();
    }

    /// <summary><c>NOP\n</c>, the answer to a heartbeat.</summary>
    public static void WriteNop(IBufferWriter<byte> output) => output.Write("NOP\n"u8);

    /// <summary><c>CLS\n</c>: the server answers <c>CLOSE_WAIT</c> and sends no more messages.</summary>
    public static void WriteCls(IBufferWriter<byte> output) => output.Write("CLS\n"u8);

    private static void WriteWithId(IBufferWriter<byte> output, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> id)
    {
        var line = new LineWriter(output, verb, id.Length);
        line.Raw(id);
        line.End();
    }

    private static void WriteWithBody(IBufferWriter<byte> output, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> body)
    {
        var line = new LineWriter(output, verb, 0);
        line.End();
        WriteSized(output, body);
    }

    private static void WriteSized(IBufferWriter<byte> output, ReadOnlySpan<byte> body)
    {
        WriteInt32(output, body.Length);
        output.Write(body);
    }

    private static void WriteInt32(IBufferWriter<byte> output, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    /// <summary>One command line in the output's span: the verb, then each parameter after a space, then <c>\n</c>.</summary>
    private ref struct LineWriter
    {
        private readonly IBufferWriter<byte> _output;
        private readonly Span<byte> _span;
        private int _at;

        public LineWriter(IBufferWriter<byte> output, ReadOnlySpan<byte> verb, int parameterBytes)
        {
            _output = output;
            _span = output.GetSpan(MaxLineLength + parameterBytes);
            verb.CopyTo(_span);
            _at = verb.Length;
        }

        public void Name(string name)
        {
            _span[_at++] = (byte)' ';
            _at += Encoding.UTF8.GetBytes(name, _span[_at..]);
        }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            _span[_at++] = (byte)' ';
            bytes.CopyTo(_span[_at..]);
            _at += bytes.Length;
        }

        public void Number(long value)
        {
            _span[_at++] = (byte)' ';
            value.TryFormat(_span[_at..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
            _at += written;
        }

        public void End()
        {
            _span[_at++] = (byte)'\n';
            _output.Advance(_at);
        }
    }
}
