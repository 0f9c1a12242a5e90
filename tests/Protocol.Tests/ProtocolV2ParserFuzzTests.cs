using System.Buffers;
using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// A seeded, deterministic fuzz over wire-like input: the parser never throws, never depends on how the bytes are
// split, and never changes its mind when more bytes arrive. Any failing seed becomes a named test.
public class ProtocolV2ParserFuzzTests
{
    private static readonly object[] Pieces =
    [
        "PUB", "MPUB", "DPUB", "SUB", "RDY", "FIN", "REQ", "TOUCH", "CLS", "NOP", "IDENTIFY", "AUTH", "nop",
        " ", " ", "\n", "\n", "\r", "t", "c#ephemeral", "bad!", "0123456789abcdef", "12", "-1", "3600001", "\xff",
        0, 1, 2, 3, -1, 1048577, 5242881, int.MaxValue,
    ];

    private static byte[] RandomInput(Random random)
    {
        var parts = new object[random.Next(1, 10)];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = Pieces[random.Next(Pieces.Length)];
        }

        return Wire.Bytes(parts);
    }

    [Fact]
    public void Random_input_parses_the_same_however_it_is_split()
    {
        var random = new Random(20261125);
        for (var run = 0; run < 3000; run++)
        {
            var input = RandomInput(random);
            var state = (ConnectionState)new byte[] { 0, 3, 4 }[random.Next(3)];

            ParseEverySplit(input, state);
            ErrorAtEnd(input, state);
        }
    }

    [Fact]
    public void Outcome_never_changes_when_more_bytes_arrive()
    {
        var random = new Random(7);
        for (var run = 0; run < 3000; run++)
        {
            var input = RandomInput(random);
            var more = RandomInput(random);
            var state = (ConnectionState)new byte[] { 0, 3, 4 }[random.Next(3)];

            var outcome = Parse(input, state);
            var extended = Parse([.. input, .. more], state);

            if (outcome.Status != ParseStatus.NeedMoreData)
            {
                Assert.True(outcome == extended, $"run {run}: {outcome} became {extended}");
            }
        }
    }

    [Fact]
    public void Every_prefix_of_incomplete_input_is_incomplete()
    {
        var random = new Random(11);
        for (var run = 0; run < 3000; run++)
        {
            var input = RandomInput(random);
            var state = (ConnectionState)new byte[] { 0, 3, 4 }[random.Next(3)];
            if (Parse(input, state).Status != ParseStatus.NeedMoreData)
            {
                continue;
            }

            for (var length = 0; length < input.Length; length++)
            {
                Assert.Equal(ParseStatus.NeedMoreData, Parse(new ReadOnlySequence<byte>(input, 0, length), state).Status);
            }
        }
    }
}
