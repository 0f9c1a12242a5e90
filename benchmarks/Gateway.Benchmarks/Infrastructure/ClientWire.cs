using System.Buffers.Binary;
using System.Text;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Infrastructure;

/// <summary>Publisher bytes as go-nsq writes them (nsq/bench/bench_writer sends these).</summary>
internal static class ClientWire
{
    /// <summary>bench_writer's default topic.</summary>
    public const string BenchTopic = "sub_bench";

    /// <summary>Default NSQ limits (nsqd/options.go), as the gateway runs with them.</summary>
    public const long MaxMsgSize = 1048576;
    public const long MaxBodySize = 5242880;
    public const long MaxRdyCount = 2500;
    public const long MaxReqTimeoutMs = 3600000;

    public static ProtocolV2Parser DefaultParser() => new(MaxMsgSize, MaxBodySize, MaxRdyCount, MaxReqTimeoutMs);

    /// <summary>PUB &lt;topic&gt;\n[i32 size][size bytes].</summary>
    public static byte[] Pub(string topic, int bodySize)
    {
        var line = Encoding.ASCII.GetBytes($"PUB {topic}\n");
        var bytes = new byte[line.Length + 4 + bodySize];
        line.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(line.Length), bodySize);
        Body(bytes.AsSpan(line.Length + 4));
        return bytes;
    }

    /// <summary>MPUB &lt;topic&gt;\n[i32 body size][i32 count] then count × [i32 size][size bytes].</summary>
    public static byte[] Mpub(string topic, int count, int bodySize)
    {
        var line = Encoding.ASCII.GetBytes($"MPUB {topic}\n");
        var partsLength = count * (4 + bodySize);
        var bytes = new byte[line.Length + 8 + partsLength];
        line.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(line.Length), 4 + partsLength);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(line.Length + 4), count);
        var at = line.Length + 8;
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at), bodySize);
            Body(bytes.AsSpan(at + 4, bodySize));
            at += 4 + bodySize;
        }

        return bytes;
    }

    /// <summary><paramref name="times"/> copies of <paramref name="command"/> back to back, as one read would hold them.</summary>
    public static byte[] Repeat(byte[] command, int times)
    {
        var bytes = new byte[command.Length * times];
        for (var i = 0; i < times; i++)
        {
            command.CopyTo(bytes, i * command.Length);
        }

        return bytes;
    }

    // bench_writer's body is a run of 'a'; any printable filler does.
    private static void Body(Span<byte> body) => body.Fill((byte)'a');
}
