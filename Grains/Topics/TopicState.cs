namespace OrleansNsq.Grains.Topics;

/// <summary>A non-ephemeral topic's metadata in grain storage (nsqd's nsqd.dat entry): written on create, delete,
/// pause, unpause and channel create/delete, never on publish.</summary>
[GenerateSerializer, Alias("OrleansNsq.Grains.TopicState")]
public sealed class TopicState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Paused { get; set; }
    /// <summary>The topic's non-ephemeral channels, sorted.</summary>
    [Id(2)] public List<string> Channels { get; set; } = [];
}
