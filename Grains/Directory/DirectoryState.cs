namespace OrleansNsq.Grains.Directory;

/// <summary>The directory in grain storage: the topics this node has, with their channels, without #ephemeral names.
/// Written only when that list changes.</summary>
[GenerateSerializer, Alias("OrleansNsq.Grains.DirectoryState")]
public sealed class DirectoryState
{
    /// <summary>Sorted by name.</summary>
    [Id(0)] public List<DirectoryTopicState> Topics { get; set; } = [];
}

[GenerateSerializer, Alias("OrleansNsq.Grains.DirectoryTopicState")]
public sealed class DirectoryTopicState
{
    [Id(0)] public string Name { get; set; } = "";
    /// <summary>Sorted.</summary>
    [Id(1)] public List<string> Channels { get; set; } = [];

    public bool SameAs(DirectoryTopicState other) => Name == other.Name && Channels.SequenceEqual(other.Channels);
}
