using System.Buffers.Binary;
using System.Text;

namespace OrleansNsq.Client;

/// <summary>
/// Makes <see cref="NsqMessage"/>s outside a consumer, to unit-test a handler: it answers to the given responder, or
/// to none (FIN, REQ and TOUCH are only recorded in <see cref="NsqMessage.Outcome"/>).
/// </summary>
public static class NsqMessageFactory
{
    private static long LastId;

    /// <param name="body">The body.</param>
    /// <param name="attempts">Deliveries so far, this one included (1 to 65535).</param>
    /// <param name="id">16 ASCII characters; null: a new one (hex, unique in this process).</param>
    /// <param name="timestamp">When nsqd accepted it; null: now.</param>
    /// <param name="nsqdAddress">The nsqd it claims to come from.</param>
    /// <param name="responder">Who hears FIN, REQ and TOUCH; null: nobody.</param>
    public static NsqMessage Create(ReadOnlyMemory<byte> body, int attempts = 1, string? id = null, DateTimeOffset? timestamp = null,
        string nsqdAddress = "127.0.0.1:4150", INsqMessageResponder? responder = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(attempts, ushort.MaxValue);
        id ??= Interlocked.Increment(ref LastId).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        if (id.Length != 16 || !Ascii.IsValid(id))
        {
            throw new ArgumentException("a message id is 16 ASCII characters", nameof(id));
        }

        var frame = new byte[NsqMessage.HeaderSize + body.Length];
        var at = timestamp ?? DateTimeOffset.UtcNow;
        BinaryPrimitives.WriteInt64BigEndian(frame, (at - DateTimeOffset.UnixEpoch).Ticks * 100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), (ushort)attempts);
        Encoding.ASCII.GetBytes(id, frame.AsSpan(10));
        body.Span.CopyTo(frame.AsSpan(NsqMessage.HeaderSize));
        return new NsqMessage(frame, nsqdAddress, responder ?? NoResponder.Instance);
    }

    private sealed class NoResponder : INsqMessageResponder
    {
        public static readonly NoResponder Instance = new();

        public ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
