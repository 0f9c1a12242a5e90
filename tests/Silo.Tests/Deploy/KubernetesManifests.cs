using YamlDotNet.RepresentationModel;

namespace OrleansNsq.Silo.Tests.Deploy;

/// <summary>Every document of every *.yaml of one folder of deploy/kubernetes (default: the base), parsed with
/// YamlDotNet, with the file it came from.</summary>
public sealed class KubernetesManifests
{
    public const string Root = "deploy/kubernetes";
    public const string Folder = Root + "/base";

    private KubernetesManifests(string directory, IReadOnlyList<Manifest> all)
    {
        Directory = directory;
        All = all;
    }

    public string Directory { get; }

    /// <summary>Every document, kustomization.yaml's included (kind Kustomization).</summary>
    public IReadOnlyList<Manifest> All { get; }

    public static KubernetesManifests Load(string folder = Folder)
    {
        var directory = Path.Combine(RepositoryRoot(), folder);
        var all = new List<Manifest>();
        foreach (var file in System.IO.Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root)
                    throw new InvalidDataException($"{Path.GetFileName(file)}: a document that is not a mapping");
                all.Add(new Manifest(Path.GetFileName(file), root));
            }
        }
        return new KubernetesManifests(directory, all);
    }

    public IEnumerable<Manifest> OfKind(string kind) => All.Where(m => m.Kind == kind);

    public Manifest Single(string kind, string name) =>
        All.SingleOrDefault(m => m.Kind == kind && m.Name == name)
        ?? throw new InvalidDataException($"no {kind} named {name} in {Folder}");

    /// <summary>The pod templates of the workloads (StatefulSet, Deployment, Job), with the manifest holding each.</summary>
    public IEnumerable<(Manifest Workload, YamlMappingNode Template)> PodTemplates() =>
        All.Where(m => m.Kind is "StatefulSet" or "Deployment" or "Job")
            .Select(m => (m, m.Root.Map("spec").Map("template")));

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OrleansNsq.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("OrleansNsq.sln not found above " + AppContext.BaseDirectory);
    }
}

public sealed record Manifest(string File, YamlMappingNode Root)
{
    public string Kind => Root.Text("kind") ?? "";

    public string Name => Root.Map("metadata").Text("name") ?? "";

    public override string ToString() => $"{File}: {Kind}/{Name}";
}

/// <summary>Reading a parsed manifest: a missing key is null (or empty), never an exception.</summary>
public static class YamlNodes
{
    private static readonly YamlMappingNode EmptyMap = new();

    public static YamlMappingNode Map(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map ? map : EmptyMap;

    public static IEnumerable<YamlMappingNode> Maps(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode seq
            ? seq.Children.OfType<YamlMappingNode>()
            : [];

    public static IEnumerable<string> Texts(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode seq
            ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")
            : [];

    public static string? Text(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;

    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>A mapping of scalars (labels, selectors, stringData) as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Strings(this YamlMappingNode node, string key) =>
        node.Map(key).Children
            .Where(p => p.Key is YamlScalarNode && p.Value is YamlScalarNode)
            .ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => ((YamlScalarNode)p.Value).Value ?? "");
}
