namespace OrleansNsq.Stats;

/// <summary>
/// One topic as the directory (the lookupd role) knows it.
/// <see cref="HasProducer"/> is false for a topic that exists only because lookupd's /topic/create or /channel/create
/// named it: /lookup then answers 200 with no producers, as nsqlookupd does.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.TopicDirectoryEntry")]
public sealed record TopicDirectoryEntry
{
    /// <summary>The topic name.</summary>
    [Id(0)] public required string Topic { get; init; }
    /// <summary>Its channels.</summary>
    [Id(1)] public required string[] Channels { get; init; }
    /// <summary>False when only lookupd's /topic/create or /channel/create named it.</summary>
    [Id(2)] public bool HasProducer { get; init; }
    /// <summary>Producers tombstoned for this topic: node (<c>broadcast_address:http_port</c>, what /topic/tombstone
    /// names) → Unix ms until which it is hidden from /lookup. Expired ones are left out.</summary>
    [Id(3)] public Dictionary<string, long> Tombstones { get; init; } = [];

    /// <summary>Unix ms until which <paramref name="node"/>'s producer entry is tombstoned, 0 when it is not.</summary>
    public long TombstonedUntil(string node) => Tombstones.GetValueOrDefault(node);
}
