using System.Buffers;

namespace OrleansNsq.Protocol.Tests;

/// <summary>Every client command byte for byte as NSQ clients write it, and read back by the server's own parser.</summary>
public class CommandWriterTests
{
    private static readonly byte[] Id = "0123456789abcdef"u8.ToArray();

    private static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Commands_without_a_body_are_one_line() => Assert.Equal(
        Wire.Bytes("  V2", "SUB t c\n", "RDY 200\n", "FIN 0123456789abcdef\n", "TOUCH 0123456789abcdef\n",
            "REQ 0123456789abcdef 5000\n", "NOP\n", "CLS\n"),
        Written(o =>
        {
            CommandWriter.WriteMagic(o);
            CommandWriter.WriteSub(o, "t", "c");
            CommandWriter.WriteRdy(o, 200);
            CommandWriter.WriteFin(o, Id);
            CommandWriter.WriteTouch(o, Id);
            CommandWriter.WriteReq(o, Id, 5000);
            CommandWriter.WriteNop(o);
            CommandWriter.WriteCls(o);
        }));

    [Fact]
    public void Commands_with_a_body_carry_its_size_word() => Assert.Equal(
        Wire.Bytes("IDENTIFY\n", 2, "{}", "AUTH\n", 3, "abc", "PUB topic\n", 5, "hello", "DPUB topic 1500\n", 2, "hi"),
        Written(o =>
        {
            CommandWriter.WriteIdentify(o, "{}"u8);
            CommandWriter.WriteAuth(o, "abc"u8);
            CommandWriter.WritePub(o, "topic", "hello"u8);
            CommandWriter.WriteDpub(o, "topic", 1500, "hi"u8);
        }));

    [Fact]
    public void Mpub_carries_the_body_size_the_count_and_each_message_sized() => Assert.Equal(
        Wire.Bytes("MPUB t\n", 4 + 4 + 1 + 4 + 2, 2, 1, "a", 2, "bc"),
        Written(o => CommandWriter.WriteMpub(o, "t", ["a"u8.ToArray(), "bc"u8.ToArray()])));

    [Fact]
    public void A_long_channel_name_fits_the_line() => Assert.Equal(
        Wire.Bytes($"SUB {new string('t', 64)} {new string('c', 64)}#ephemeral\n"),
        Written(o => CommandWriter.WriteSub(o, new string('t', 64), new string('c', 64) + "#ephemeral")));

    [Fact]
    public void The_servers_parser_reads_what_the_writer_wrote()
    {
        var parser = new ProtocolV2Parser(maxMsgSize: 1024, maxBodySize: 4096, maxRdyCount: 2500, maxReqTimeoutMs: 3_600_000);
        var bytes = Written(o =>
        {
            CommandWriter.WriteIdentify(o, "{}"u8);
            CommandWriter.WritePub(o, "topic", "hello"u8);
            CommandWriter.WriteMpub(o, "topic", ["a"u8.ToArray(), "bc"u8.ToArray()]);
            CommandWriter.WriteDpub(o, "topic", 1500, "hi"u8);
            CommandWriter.WriteSub(o, "topic", "channel");
        });
        var input = new ReadOnlySequence<byte>(bytes);
        var kinds = new List<CommandKind>();
        while (parser.TryParse(input, ConnectionState.Init, out var consumed, out var command, out _) == ParseStatus.Command)
        {
            kinds.Add(command.Kind);
            input = input.Slice(consumed);
        }
        Assert.Equal([CommandKind.Identify, CommandKind.Pub, CommandKind.Mpub, CommandKind.Dpub, CommandKind.Sub], kinds);
        Assert.Equal(0, input.Length);
    }

    [Fact]
    public void Writing_a_command_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var body = new byte[200];
        var bytes = Allocations.AllocatedBy(() =>
        {
            output.ResetWrittenCount();
            CommandWriter.WritePub(output, "topic", body);
            CommandWriter.WriteFin(output, Id);
            CommandWriter.WriteReq(output, Id, 60_000);
            CommandWriter.WriteRdy(output, 2500);
        });
        Assert.Equal(0, bytes);
    }
}
