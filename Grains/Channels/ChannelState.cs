namespace OrleansNsq.Grains.Channels;

/// <summary>A non-ephemeral channel's metadata in grain storage: written on create, delete, pause and unpause,
/// never on pull or settle.</summary>
[GenerateSerializer, Alias("OrleansNsq.Grains.ChannelState")]
public sealed class ChannelState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Paused { get; set; }
}
