using System.Buffers;
using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

/// <summary>What one TryParse call produced, as comparable values.</summary>
internal sealed record ParseOutcome(
    ParseStatus Status,
    long Consumed,
    CommandKind? Kind = null,
    string Topic = "",
    string Channel = "",
    long Number = 0,
    string RawId = "",
    long MessageId = 0,
    string Body = "",
    int MessageCount = 0,
    string? Error = null,
    bool? Fatal = null);

/// <summary>Feeds wire bytes to a <see cref="ProtocolV2Parser"/> with nsqd's default limits.</summary>
internal static class ParserDriver
{
    public const long MaxMsgSize = 1048576;
    public const long MaxBodySize = 5242880;
    public const long MaxRdyCount = 2500;
    public const long MaxReqTimeoutMs = 3600000;

    public static ProtocolV2Parser Parser { get; } = new(MaxMsgSize, MaxBodySize, MaxRdyCount, MaxReqTimeoutMs);

    public static ParseOutcome Parse(byte[] input, ConnectionState state = ConnectionState.Init) =>
        Parse(new ReadOnlySequence<byte>(input), state);

    public static ParseOutcome Parse(in ReadOnlySequence<byte> input, ConnectionState state, ProtocolV2Parser? parser = null)
    {
        var status = (parser ?? Parser).TryParse(input, state, out var consumed, out var command, out var error);
        var consumedLength = input.Slice(input.Start, consumed).Length;
        return status switch
        {
            ParseStatus.Command => new ParseOutcome(
                status,
                consumedLength,
                command.Kind,
                Text(command.Topic),
                Text(command.Channel),
                command.Number,
                Text(command.RawId),
                command.MessageId,
                Text(command.Body),
                command.MessageCount),
            ParseStatus.Error => new ParseOutcome(status, consumedLength, Error: Wire.Text(error!.Data), Fatal: error.IsFatal),
            _ => new ParseOutcome(status, consumedLength),
        };
    }

    /// <summary>
    /// Parses <paramref name="input"/> whole, split into two segments at every offset, and one byte per segment; all
    /// must give the same outcome, which is returned.
    /// </summary>
    public static ParseOutcome ParseEverySplit(byte[] input, ConnectionState state = ConnectionState.Init)
    {
        var expected = Parse(input, state);
        for (var offset = 0; offset <= input.Length; offset++)
        {
            var split = Parse(TestSequenceSegment.SplitAt(input, offset), state);
            Assert.True(expected == split, $"split at {offset}: expected {expected}, got {split}");
        }

        var bytewise = Parse(TestSequenceSegment.ByteByByte(input), state);
        Assert.True(expected == bytewise, $"one byte per segment: expected {expected}, got {bytewise}");
        return expected;
    }

    /// <summary>The error nsqd sends when the input ends with <paramref name="input"/> unparsed, as text.</summary>
    public static string? ErrorAtEnd(byte[] input, ConnectionState state = ConnectionState.Init)
    {
        var whole = Parser.ErrorAtEndOfInput(new ReadOnlySequence<byte>(input), state);
        var split = Parser.ErrorAtEndOfInput(TestSequenceSegment.ByteByByte(input), state);
        Assert.Equal(whole?.ToString(), split?.ToString());
        return whole is null ? null : Wire.Text(whole.Data);
    }

    public static void AssertFatal(ParseOutcome outcome, string expectedError)
    {
        Assert.Equal(ParseStatus.Error, outcome.Status);
        Assert.Equal(expectedError, outcome.Error);
        Assert.True(outcome.Fatal);
    }

    private static string Text(in ReadOnlySequence<byte> bytes) => Wire.Text(bytes.ToArray());
}
