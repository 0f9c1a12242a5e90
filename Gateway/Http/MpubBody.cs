using System.Buffers.Binary;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The two /mpub body formats, turned into one <see cref="PublishBatch"/> in place: bodies are moved to the front of
/// the buffer they were read into, so the whole request costs that one array, which the batch then owns.
/// </summary>
internal static class MpubBody
{
    /// <summary>
    /// Text mode (nsqd/http.go doMPUB): lines split on <c>\n</c>, a <c>\r</c> is kept, empty lines are skipped, each
    /// line ≤ max-msg-size. <paramref name="readLimit"/> is max-body-size + 1: reaching it is BODY_TOO_BIG, checked
    /// line by line in nsqd's order (an earlier oversize line answers MSG_TOO_BIG first).
    /// </summary>
    public static ApiError? TryParseText(byte[] body, long readLimit, long maxMessageSize, out PublishBatch batch)
    {
        var ends = new List<int>();
        var write = 0;
        var read = 0;
        while (read < body.Length)
        {
            var newline = Array.IndexOf(body, (byte)'\n', read);
            var blockEnd = newline < 0 ? body.Length : newline + 1;
            if (blockEnd == readLimit)
            {
                batch = Empty;
                return ApiError.BodyTooBig;
            }
            var lineLength = (newline < 0 ? body.Length : newline) - read;
            if (lineLength > 0)
            {
                if (lineLength > maxMessageSize)
                {
                    batch = Empty;
                    return ApiError.MsgTooBig;
                }
                Array.Copy(body, read, body, write, lineLength);
                write += lineLength;
                ends.Add(write);
            }
            read = blockEnd;
        }
        batch = PublishBatch.TakeOwnership(body, [.. ends]);
        return null;
    }

    /// <summary>
    /// Binary mode: <c>[i32 count]</c> then count × <c>[i32 size][bytes]</c> (nsqd's readMPUB, without TCP MPUB's
    /// leading body size). Count ≤ 0, above (max-body-size − 4) / 5 or unreadable → BAD_BODY; a size ≤ 0, above
    /// max-msg-size or a short body → BAD_MESSAGE. Bytes after the last message are ignored, as nsqd does.
    /// </summary>
    /// <param name="truncated">The body was cut at our read limit; running out of bytes is then BODY_TOO_BIG
    /// (nsqd would read on, but only a chunked body can get here: a Content-Length above max-body-size is refused first).</param>
    public static ApiError? TryParseBinary(byte[] body, bool truncated, long maxMessageSize, long maxBodySize, out PublishBatch batch)
    {
        batch = Empty;
        if (body.Length < 4) return truncated ? ApiError.BodyTooBig : ApiError.BadBody;
        var count = BinaryPrimitives.ReadInt32BigEndian(body);
        // 4 == the count itself, 5 == a size plus at least one byte
        var maxMessages = (maxBodySize - 4) / 5;
        if (count <= 0 || count > maxMessages) return ApiError.BadBody;

        var ends = new int[count];
        var read = 4;
        var write = 0;
        for (var i = 0; i < count; i++)
        {
            if (body.Length - read < 4) return truncated ? ApiError.BodyTooBig : ApiError.BadMessage;
            var size = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(read));
            read += 4;
            if (size <= 0 || size > maxMessageSize) return ApiError.BadMessage;
            if (body.Length - read < size) return truncated ? ApiError.BodyTooBig : ApiError.BadMessage;
            Array.Copy(body, read, body, write, size);
            read += size;
            write += size;
            ends[i] = write;
        }
        batch = PublishBatch.TakeOwnership(body, ends);
        return null;
    }

    private static PublishBatch Empty { get; } = PublishBatch.TakeOwnership([], []);
}
