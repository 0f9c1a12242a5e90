using System.Runtime.CompilerServices;

namespace OrleansNsq.Messages;

/// <summary>
/// Message bodies as they cross from a publisher to a <see cref="ITopicGrain"/>: one array holding every body back to
/// back, so a batch costs one allocation however many messages it carries. NSQ terms: one PUB is a batch of one,
/// an MPUB a batch of n, a DPUB a batch with <see cref="DeferMs"/>. It crosses grain calls as
/// <c>Immutable&lt;PublishBatch&gt;</c>, and every delivery of its messages is a slice of <see cref="Data"/>.
/// <para>Make one with a factory, never by hand: <see cref="Single"/> and <see cref="From"/> copy the bodies (the safe
/// default: the caller may reuse its buffers at once), <see cref="TakeOwnership"/> keeps the caller's arrays (no copy:
/// the caller gives them up). Each factory refuses what nsqd refuses on the wire with an
/// <see cref="ArgumentException"/>: an empty body (nsqd's E_BAD_MESSAGE), broken offsets, a negative defer. The topic
/// grain checks every batch again, against the node's --max-msg-size too, because a batch that reaches it through
/// serialization was made without a factory.</para>
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.PublishBatch")]
public sealed class PublishBatch
{
    /// <summary>The bodies as given, unchecked: the grains' own batches (read back from the message log, already
    /// checked when published). Everyone else goes through a factory.</summary>
    internal PublishBatch(byte[] data, int[] ends, int deferMs = 0)
    {
        Data = data;
        Ends = ends;
        DeferMs = deferMs;
    }

    /// <summary>The bodies back to back. May be longer than <c>Ends[^1]</c> (the rest is not part of any body).</summary>
    [Id(0)] public byte[] Data { get; }
    /// <summary>End offset (exclusive) of each body in <see cref="Data"/>; body i starts at <c>Ends[i-1]</c> (0 for the
    /// first). Strictly increasing: no body is empty.</summary>
    [Id(1)] public int[] Ends { get; }
    /// <summary>DPUB / HTTP <c>defer</c>: every message of the batch waits this many ms in each channel's deferred
    /// queue; 0 = ready at once.</summary>
    [Id(2)] public int DeferMs { get; }

    /// <summary>Number of messages (PUB = 1, MPUB = n).</summary>
    public int Count => Ends.Length;

    /// <summary>Sum of the body sizes (topic <c>message_bytes</c>).</summary>
    public long TotalBytes => Ends.Length == 0 ? 0 : Ends[^1];

    /// <summary>Offset of body <paramref name="index"/> in <see cref="Data"/>.</summary>
    public int StartOf(int index) => index == 0 ? 0 : Ends[index - 1];

    /// <summary>Body <paramref name="index"/>, a slice of <see cref="Data"/>.</summary>
    public ReadOnlyMemory<byte> Body(int index)
    {
        var start = StartOf(index);
        return new ReadOnlyMemory<byte>(Data, start, Ends[index] - start);
    }

    /// <summary>A batch of one body, copied (PUB; DPUB with <paramref name="deferMs"/>).</summary>
    /// <exception cref="ArgumentException">The body is empty, or <paramref name="deferMs"/> is negative.</exception>
    public static PublishBatch Single(ReadOnlySpan<byte> body, int deferMs = 0)
    {
        if (body.IsEmpty) throw EmptyBody(0, nameof(body));
        ThrowIfNegative(deferMs);
        return new PublishBatch(body.ToArray(), [body.Length], deferMs);
    }

    /// <summary>The bodies copied into one array (MPUB; with <paramref name="deferMs"/>, every one deferred).</summary>
    /// <exception cref="ArgumentException">A body is empty, or <paramref name="deferMs"/> is negative.</exception>
    public static PublishBatch From(IReadOnlyList<byte[]> bodies, int deferMs = 0)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        ThrowIfNegative(deferMs);
        long total = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            if (bodies[i] is not { Length: > 0 } body) throw EmptyBody(i, nameof(bodies));
            total += body.Length;
        }
        if (total > Array.MaxLength) throw new ArgumentException($"the bodies add up to {total} bytes, more than one array holds", nameof(bodies));
        var data = new byte[total];
        var ends = new int[bodies.Count];
        var at = 0;
        for (var i = 0; i < bodies.Count; i++)
        {
            bodies[i].CopyTo(data, at);
            at += bodies[i].Length;
            ends[i] = at;
        }
        return new PublishBatch(data, ends, deferMs);
    }

    /// <summary>
    /// A batch over the caller's arrays, without a copy: the batch takes ownership of <paramref name="data"/> and
    /// <paramref name="ends"/>, and the caller must never write to either again (not even to return them to a pool).
    /// Every consumer's delivery, TCP ones included, is a slice of <paramref name="data"/>, so a later write would
    /// change messages already published. The offsets are checked once, O(messages).
    /// </summary>
    /// <exception cref="ArgumentException">An end is not above the previous one (an empty body), the last is beyond
    /// <paramref name="data"/>, or <paramref name="deferMs"/> is negative.</exception>
    public static PublishBatch TakeOwnership(byte[] data, int[] ends, int deferMs = 0)
    {
        var batch = new PublishBatch(data, ends, deferMs);
        batch.ThrowIfMalformed(long.MaxValue);
        return batch;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless the batch is one a factory would make and no body is
    /// above <paramref name="maxMessageSize"/> bytes (the node's --max-msg-size, nsqd's E_BAD_MESSAGE). The topic grain
    /// calls it on every publish: a batch that arrives through serialization was made without a factory.</summary>
    public void ThrowIfMalformed(long maxMessageSize)
    {
        if (Data is null || Ends is null) throw new ArgumentException("a publish batch needs its data and its end offsets", "batch");
        ThrowIfNegative(DeferMs, "batch");
        var start = 0;
        for (var i = 0; i < Ends.Length; i++)
        {
            var end = Ends[i];
            if (end <= start)
            {
                if (end == start) throw EmptyBody(i, "batch");
                throw new ArgumentException($"publish batch end offset {i} ({end}) is below the one before it ({start})", "batch");
            }
            if (end - start > maxMessageSize)
                throw new ArgumentOutOfRangeException("batch",
                    $"message {i} of the batch is {end - start} bytes, above the node's --max-msg-size of {maxMessageSize}");
            start = end;
        }
        if (start > Data.Length)
            throw new ArgumentException($"publish batch end offset {start} is beyond its {Data.Length} bytes of data", "batch");
    }

    private static ArgumentException EmptyBody(int index, string paramName) =>
        new($"message {index} of the batch is empty: NSQ refuses empty bodies (E_BAD_MESSAGE)", paramName);

    private static void ThrowIfNegative(int deferMs, [CallerArgumentExpression(nameof(deferMs))] string? paramName = null)
    {
        if (deferMs < 0) throw new ArgumentOutOfRangeException(paramName, deferMs, "a defer is 0 or more milliseconds");
    }
}
