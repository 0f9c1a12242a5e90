namespace OrleansNsq.Messages;

/// <summary>
/// Message bodies as they cross from a gateway to a <see cref="ITopicGrain"/>: one array holding every body back to
/// back, so a batch costs one allocation however many messages it carries. NSQ terms: one PUB is a batch of one,
/// an MPUB a batch of n, a DPUB a batch with <see cref="DeferMs"/>. Bodies may be empty (nsqd refuses empty bodies on
/// the wire; the grain API does not check). It crosses grain calls as <c>Immutable&lt;PublishBatch&gt;</c>.
/// </summary>
/// <param name="data">The bodies back to back. May be longer than <c>ends[^1]</c>.</param>
/// <param name="ends">End offset (exclusive) of body i in <paramref name="data"/>; body i starts at <c>ends[i-1]</c> (0 for the first).</param>
/// <param name="deferMs">DPUB / HTTP <c>defer</c>: every message of the batch waits this many ms in each channel's deferred queue. 0 = none.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.PublishBatch")]
public sealed class PublishBatch(byte[] data, int[] ends, int deferMs = 0)
{
    /// <summary>The bodies back to back (see the constructor).</summary>
    [Id(0)] public byte[] Data { get; } = data;
    /// <summary>End offset (exclusive) of each body in <see cref="Data"/>.</summary>
    [Id(1)] public int[] Ends { get; } = ends;
    /// <summary>DPUB delay in ms of every message of the batch; 0 = ready at once.</summary>
    [Id(2)] public int DeferMs { get; } = deferMs;

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

    /// <summary>A batch of one body (HTTP /pub, tests).</summary>
    public static PublishBatch Single(byte[] body, int deferMs = 0) => new(body, [body.Length], deferMs);

    /// <summary>Copies the bodies into one array (tests, HTTP /mpub, the .NET API).</summary>
    public static PublishBatch From(IReadOnlyList<byte[]> bodies, int deferMs = 0)
    {
        var total = 0;
        foreach (var b in bodies) total += b.Length;
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
}
