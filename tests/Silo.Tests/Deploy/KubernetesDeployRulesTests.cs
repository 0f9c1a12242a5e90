using System.Diagnostics;
using Orleans.Configuration;
using OrleansNsq.Gateway.Flags;
using YamlDotNet.RepresentationModel;

namespace OrleansNsq.Silo.Tests.Deploy;

/// <summary>
/// What a first rollout needs from deploy/kubernetes beyond matching the Silo's flags: one pinned image for every
/// object, the schema as its own step with its own login, the Pod Security "restricted" profile, spread, Guaranteed
/// memory, probes and a disruption budget that fit Orleans' membership, and the optional overlay for clients outside
/// the cluster. Where kubectl is installed, the deploy is also rendered with kustomize as documented.
/// </summary>
public class KubernetesDeployRulesTests
{
    private const string Image = "orleans-nsq";
    private static readonly KubernetesManifests Base = KubernetesManifests.Load();
    private static readonly KubernetesManifests Overlay = KubernetesManifests.Load(KubernetesManifests.Root + "/overlays/external-clients");

    private static IEnumerable<(Manifest Workload, YamlMappingNode Container)> Containers() =>
        Base.PodTemplates().SelectMany(t => t.Template.Map("spec").Maps("containers")
            .Concat(t.Template.Map("spec").Maps("initContainers")).Select(c => (t.Workload, c)));

    private static Manifest Silos => Base.Single("StatefulSet", "orleans-nsq");

    private static YamlMappingNode SiloContainer() =>
        Silos.Root.Map("spec").Map("template").Map("spec").Maps("containers").Single(c => c.Text("name") == "silo");

    [Fact]
    public void Every_container_names_the_one_image_that_the_base_kustomization_pins()
    {
        Assert.All(Containers(), c => Assert.Equal(Image, c.Container.Text("image")));
        var image = Base.All.Single(m => m.Kind == "Kustomization").Root.Maps("images").Single(i => i.Text("name") == Image);
        var tag = image.Text("newTag");
        var digest = image.Text("digest");
        Assert.False(string.IsNullOrEmpty(image.Text("newName")), "images: orleans-nsq has no newName (the registry's)");
        Assert.True(!string.IsNullOrEmpty(digest) || (!string.IsNullOrEmpty(tag) && tag != "latest"),
            $"images: orleans-nsq is not pinned (newTag {tag ?? "none"}, digest {digest ?? "none"})");
    }

    [Fact]
    public void Silos_skip_the_schema_and_the_migrate_job_applies_it_with_its_own_login()
    {
        var silo = SiloContainer();
        Assert.Contains("--apply-schema=false", silo.Texts("args"));
        Assert.NotNull(NsqFlags.Find("apply-schema"));

        var job = Base.Single("Job", "orleans-nsq-migrate").Root.Map("spec").Map("template").Map("spec").Maps("containers").Single();
        Assert.Equal("migrate", job.Texts("args").First());
        string SecretOf(YamlMappingNode container, string key) =>
            container.Maps("env").Single(e => e.Text("name") == key).Map("valueFrom").Map("secretKeyRef").Text("name")!;
        Assert.Equal("orleans-nsq-postgres-admin", SecretOf(job, "Storage__ConnectionString"));
        Assert.Equal("orleans-nsq-postgres", SecretOf(silo, "Cluster__ConnectionString"));
    }

    [Fact]
    public void Every_pod_meets_the_restricted_Pod_Security_profile()
    {
        foreach (var (workload, template) in Base.PodTemplates())
        {
            var pod = template.Map("spec").Map("securityContext");
            Assert.True(pod.Text("runAsNonRoot") == "true", $"{workload}: runAsNonRoot");
            Assert.True(pod.Map("seccompProfile").Text("type") == "RuntimeDefault", $"{workload}: seccompProfile RuntimeDefault");
        }
        foreach (var (workload, container) in Containers())
        {
            var security = container.Map("securityContext");
            Assert.True(security.Text("allowPrivilegeEscalation") == "false", $"{workload}: allowPrivilegeEscalation");
            Assert.Equal(["ALL"], security.Map("capabilities").Texts("drop"));
        }
    }

    [Fact]
    public void Silos_spread_over_nodes_and_zones()
    {
        var labels = Silos.Root.Map("spec").Map("template").Map("metadata").Strings("labels");
        var constraints = Silos.Root.Map("spec").Map("template").Map("spec").Maps("topologySpreadConstraints").ToList();
        foreach (var key in new[] { "kubernetes.io/hostname", "topology.kubernetes.io/zone" })
        {
            var constraint = constraints.SingleOrDefault(c => c.Text("topologyKey") == key);
            Assert.True(constraint is not null, $"no topology spread over {key}");
            Assert.Equal("1", constraint.Text("maxSkew"));
            foreach (var (label, value) in constraint.Map("labelSelector").Strings("matchLabels"))
                Assert.Equal(value, labels.GetValueOrDefault(label));
        }
    }

    [Fact]
    public void Every_container_requests_the_memory_it_is_limited_to()
    {
        foreach (var (workload, container) in Containers())
        {
            var resources = container.Map("resources");
            var limit = resources.Map("limits").Text("memory");
            Assert.False(string.IsNullOrEmpty(limit), $"{workload} {container.Text("name")}: no memory limit");
            Assert.Equal(limit, resources.Map("requests").Text("memory"));
        }
    }

    [Fact]
    public void Startup_probe_outlasts_Orleans_join_attempts()
    {
        var probe = SiloContainer().Map("startupProbe");
        var window = TimeSpan.FromSeconds(int.Parse(probe.Text("periodSeconds")!) * int.Parse(probe.Text("failureThreshold")!));
        var join = new ClusterMembershipOptions().MaxJoinAttemptTime;

        Assert.True(window >= join + TimeSpan.FromSeconds(30), $"startup probe gives up after {window}, Orleans may try to join for {join}");
    }

    [Fact]
    public void Disruption_budget_leaves_enough_silos_to_declare_a_crashed_one_dead()
    {
        var replicas = int.Parse(Silos.Root.Map("spec").Text("replicas")!);
        var maxUnavailable = int.Parse(Base.OfKind("PodDisruptionBudget").Single().Root.Map("spec").Text("maxUnavailable")!);
        var votes = new ClusterMembershipOptions().NumVotesForDeathDeclaration;

        Assert.Equal(1, maxUnavailable);
        Assert.True(replicas - maxUnavailable >= votes, $"{replicas} replicas - {maxUnavailable} drained < {votes} votes for a death declaration");
    }

    [Fact]
    public void External_clients_overlay_gives_each_silo_pod_a_load_balancer_named_as_it_broadcasts()
    {
        var kustomization = Overlay.All.Single(m => m.Kind == "Kustomization").Root;
        Assert.Equal(["../../base", "pod-services.yaml"], kustomization.Texts("resources"));
        Assert.Equal(["../../secrets"], kustomization.Texts("components"));

        var patch = Overlay.All.Single(m => m.Kind == "StatefulSet" && m.Name == "orleans-nsq").Root;
        var broadcast = patch.Map("spec").Map("template").Map("spec").Maps("containers").Single(c => c.Text("name") == "silo")
            .Maps("env").Single(e => e.Text("name") == "Nsqd__BroadcastAddress").Text("value")!;
        Assert.StartsWith("$(POD_NAME).", broadcast);

        var replicas = int.Parse(Silos.Root.Map("spec").Text("replicas")!);
        var perPod = Overlay.OfKind("Service").Where(s => s.Root.Map("spec").Strings("selector").ContainsKey("statefulset.kubernetes.io/pod-name")).ToList();
        Assert.Equal(replicas, perPod.Count);
        var siloPorts = SiloContainer().Maps("ports").ToDictionary(p => p.Text("name")!, p => p.Text("containerPort"));
        for (var i = 0; i < replicas; i++)
        {
            var pod = $"orleans-nsq-{i}";
            var service = perPod.Single(s => s.Root.Map("spec").Strings("selector")["statefulset.kubernetes.io/pod-name"] == pod);
            Assert.Equal("LoadBalancer", service.Root.Map("spec").Text("type"));
            Assert.Equal(broadcast.Replace("$(POD_NAME)", pod), service.Root.Map("metadata").Strings("annotations")["external-dns.alpha.kubernetes.io/hostname"]);
            // lookupd reports the pods' own ports: the load balancer must keep them.
            foreach (var port in service.Root.Map("spec").Maps("ports"))
                Assert.Equal(siloPorts[port.Text("targetPort")!], port.Text("port"));
        }
    }

    [KubectlFact]
    public void Kustomize_renders_the_documented_deploy_and_the_overlay_with_the_pinned_image_and_generated_secrets()
    {
        var kubectl = KubectlFactAttribute.Kubectl!;
        var copy = Directory.CreateTempSubdirectory("orleansnsq-kustomize-");
        try
        {
            CopyDirectory(Path.Combine(KubernetesManifests.RepositoryRoot(), KubernetesManifests.Root), copy.FullName);
            File.WriteAllText(Path.Combine(copy.FullName, "secrets", "postgres.env"), "connection-string=Host=db;Username=nsq;Password=app;Database=nsq\n");
            File.WriteAllText(Path.Combine(copy.FullName, "secrets", "postgres-admin.env"), "connection-string=Host=db;Username=owner;Password=admin;Database=nsq\n");
            var pinned = Base.All.Single(m => m.Kind == "Kustomization").Root.Maps("images").Single();
            var image = $"{pinned.Text("newName")}:{pinned.Text("newTag")}";

            foreach (var (folder, services) in new[] { ("", 2), ("overlays/external-clients", 6) })
            {
                var rendered = Render(kubectl, Path.Combine(copy.FullName, folder));
                var secrets = rendered.Where(m => m.Text("kind") == "Secret").Select(m => m.Map("metadata").Text("name")!).ToList();
                Assert.Equal(2, secrets.Count);
                Assert.Equal(services, rendered.Count(m => m.Text("kind") == "Service"));
                var workloads = rendered.Where(m => m.Text("kind") is "StatefulSet" or "Job").ToList();
                Assert.Equal(2, workloads.Count);
                foreach (var container in workloads.SelectMany(w => w.Map("spec").Map("template").Map("spec").Maps("containers")))
                {
                    Assert.Equal(image, container.Text("image"));
                    foreach (var env in container.Maps("env"))
                        if (env.Map("valueFrom").Map("secretKeyRef").Text("name") is { } secret)
                            Assert.Contains(secret, secrets); // the generated, hash-suffixed name
                }
            }
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static List<YamlMappingNode> Render(string kubectl, string directory)
    {
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "kubectl kustomize did not finish within 60 s");
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory}: {error.Result}");
        var stream = new YamlStream();
        stream.Load(new StringReader(output.Result));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

/// <summary>A fact that renders with <c>kubectl kustomize</c>: skipped, saying so, where kubectl is not on the PATH
/// (CI installs only Debian packages, and Debian has none for kubectl).</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public static string? Kubectl { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    public KubectlFactAttribute()
    {
        if (Kubectl is null) Skip = "kubectl is not installed (Debian has no package for it); the YAML tests of deploy/kubernetes still ran";
    }
}
