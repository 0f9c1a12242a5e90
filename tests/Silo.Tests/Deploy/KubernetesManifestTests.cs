using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;
using OrleansNsq.Gateway.Flags;
using OrleansNsq.Silo.Hosting;
using YamlDotNet.RepresentationModel;

namespace OrleansNsq.Silo.Tests.Deploy;

/// <summary>deploy/kubernetes checked against the Silo's real flags, ports and Orleans' Kubernetes hosting.</summary>
public partial class KubernetesManifestTests
{
    private static readonly KubernetesManifests Manifests = KubernetesManifests.Load();

    /// <summary>Each named container port and the flag whose address (or port) it serves.</summary>
    private static readonly Dictionary<string, string> PortFlags = new()
    {
        ["tcp"] = "tcp-address",
        ["http"] = "http-address",
        ["lookupd-http"] = "lookupd-http-address",
        ["lookupd-tcp"] = "lookupd-tcp-listen-address",
        ["silo"] = "silo-port",
        ["gateway"] = "gateway-port",
    };

    private const string SiloStatefulSet = "orleans-nsq";

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();

    private static IEnumerable<(Manifest Workload, YamlMappingNode Container)> Containers() =>
        Manifests.PodTemplates().SelectMany(t => t.Template.Map("spec").Maps("containers")
            .Concat(t.Template.Map("spec").Maps("initContainers")).Select(c => (t.Workload, c)));

    /// <summary>A container's flags as the Silo's CommandLine takes them (<c>--name=value</c> or <c>--name value</c>),
    /// after the <c>migrate</c> verb if there is one.</summary>
    private static Dictionary<string, string> Flags(YamlMappingNode container)
    {
        var args = container.Texts("args").ToList();
        if (args is [MigrateCommand.Name, ..]) args.RemoveAt(0);
        var flags = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            Assert.True(args[i].StartsWith('-'), $"{container.Text("name")}: argument \"{args[i]}\" is not a flag");
            var name = args[i].TrimStart('-');
            var eq = name.IndexOf('=');
            if (eq >= 0) flags[name[..eq]] = name[(eq + 1)..];
            else flags[name] = i + 1 < args.Count ? args[++i] : "";
        }
        return flags;
    }

    private static IEnumerable<YamlMappingNode> Env(YamlMappingNode container) => container.Maps("env");

    private static YamlMappingNode SiloContainer() =>
        Manifests.Single("StatefulSet", SiloStatefulSet).Root.Map("spec").Map("template").Map("spec").Maps("containers")
            .Single(c => c.Text("name") == "silo");

    private static YamlMappingNode SiloTemplate() =>
        Manifests.Single("StatefulSet", SiloStatefulSet).Root.Map("spec").Map("template");

    /// <summary>What the Silo would use for a flag: the argument, else a literal X__Y env value, else the default.</summary>
    private static string EffectiveValue(YamlMappingNode container, Flag flag)
    {
        if (Flags(container).TryGetValue(flag.Name, out var value)) return value;
        var env = Env(container).FirstOrDefault(e => ConfigKey(e.Text("name")!) == flag.ConfigKey && e.Has("value"));
        return env?.Text("value") ?? flag.Default;
    }

    private static string ConfigKey(string environmentVariable) => environmentVariable.Replace("__", ":");

    [Fact]
    public void Every_manifest_has_a_kind_and_a_name_and_no_namespace()
    {
        Assert.NotEmpty(Manifests.All);
        foreach (var manifest in Manifests.All.Where(m => m.Kind != "Kustomization"))
        {
            Assert.False(string.IsNullOrEmpty(manifest.Root.Text("apiVersion")), $"{manifest}: no apiVersion");
            Assert.False(string.IsNullOrEmpty(manifest.Kind), $"{manifest}: no kind");
            Assert.False(string.IsNullOrEmpty(manifest.Name), $"{manifest}: no metadata.name");
            Assert.False(manifest.Root.Map("metadata").Has("namespace"), $"{manifest}: names a namespace; the manifests are namespace-agnostic");
        }
    }

    [Fact]
    public void Base_kustomization_lists_existing_files_and_every_manifest()
    {
        var kustomization = Manifests.All.Single(m => m.Kind == "Kustomization");
        var resources = kustomization.Root.Texts("resources").ToList();
        foreach (var resource in resources)
            Assert.True(File.Exists(Path.Combine(Manifests.Directory, resource)), $"kustomization.yaml lists {resource}, which does not exist");

        var expected = Manifests.All.Select(m => m.File)
            .Where(f => f is not "kustomization.yaml").Distinct().Order();
        Assert.Equal(expected, resources.Order());
        Assert.False(kustomization.Root.Has("namespace"), "kustomization.yaml sets a namespace");
    }

    [Fact]
    public void Every_flag_in_container_args_is_a_Silo_flag_with_a_valid_value()
    {
        var checkedFlags = 0;
        foreach (var (workload, container) in Containers())
        foreach (var (name, value) in Flags(container))
        {
            var flag = SiloFlagTable.Find(name);
            Assert.True(flag is not null, $"{workload} container {container.Text("name")}: --{name} is not a Silo flag");
            var sample = VariableReference().Replace(value, "1"); // $(VAR) is expanded by the kubelet
            NsqFlags.ToConfigValue(flag, sample, out var error);
            Assert.Null(error);
            checkedFlags++;
        }
        Assert.True(checkedFlags >= 4, $"expected the silo's flags, checked {checkedFlags}");
    }

    [Fact]
    public void Every_configuration_environment_variable_names_a_key_a_flag_binds()
    {
        var keys = SiloFlagTable.All.Select(f => f.ConfigKey).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var checkedVariables = 0;
        foreach (var (workload, container) in Containers())
        foreach (var env in Env(container))
        {
            var name = env.Text("name")!;
            if (!name.Contains("__")) continue; // POD_NAME, ORLEANS_SERVICE_ID...: read by Orleans, not configuration
            Assert.True(keys.Contains(ConfigKey(name)), $"{workload} container {container.Text("name")}: {name} binds {ConfigKey(name)}, which no flag binds");
            checkedVariables++;
        }
        Assert.True(checkedVariables >= 2, $"expected the connection strings as X__Y variables, checked {checkedVariables}");
    }

    [Fact]
    public void Every_variable_an_argument_expands_is_set_in_its_container()
    {
        foreach (var (workload, container) in Containers())
        {
            var defined = Env(container).Select(e => e.Text("name")).ToHashSet();
            foreach (var arg in container.Texts("args"))
            foreach (Match reference in VariableReference().Matches(arg))
                Assert.True(defined.Contains(reference.Groups[1].Value),
                    $"{workload} container {container.Text("name")}: {arg} uses $({reference.Groups[1].Value}), which is not in its env (the kubelet would pass it literally)");
        }
    }

    [Fact]
    public void Every_variable_an_environment_value_expands_is_defined_before_it()
    {
        var expanded = 0;
        foreach (var (workload, container) in Containers())
        {
            var before = new HashSet<string>();
            foreach (var env in Env(container))
            {
                foreach (Match reference in VariableReference().Matches(env.Text("value") ?? ""))
                {
                    Assert.True(before.Contains(reference.Groups[1].Value),
                        $"{workload} container {container.Text("name")}: {env.Text("name")} uses $({reference.Groups[1].Value}), which is not defined above it (the kubelet would pass it literally)");
                    expanded++;
                }
                before.Add(env.Text("name")!);
            }
        }
        Assert.True(expanded >= 2, "expected the broadcast address built from POD_NAME and POD_NAMESPACE");
    }

    [Fact]
    public void Silo_container_ports_are_the_ports_of_its_flags()
    {
        var container = SiloContainer();
        var ports = container.Maps("ports").ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!));

        Assert.Equal(PortFlags.Keys.Order(), ports.Keys.Order());
        foreach (var (portName, flagName) in PortFlags)
        {
            var flag = SiloFlagTable.Find(flagName)!;
            Assert.True(SiloFlagTable.Port(EffectiveValue(container, flag)) == ports[portName],
                $"container port {portName} is {ports[portName]}, --{flagName} gives {EffectiveValue(container, flag)}");
        }
    }

    [Fact]
    public void Silo_readiness_and_startup_get_ping_and_liveness_connects_on_the_nsqd_HTTP_port()
    {
        var container = SiloContainer();
        var httpPort = SiloFlagTable.Port(EffectiveValue(container, NsqFlags.Find("http-address")!));
        var named = container.Maps("ports").ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!));

        foreach (var probe in new[] { "readinessProbe", "startupProbe" })
        {
            var get = container.Map(probe).Map("httpGet");
            Assert.True(get.Text("path") == "/ping", $"{probe} path is {get.Text("path")}");
            var port = get.Text("port")!;
            Assert.Equal(httpPort, int.TryParse(port, out var number) ? number : named[port]);
        }
        // /ping's NOK must not restart pods (a database outage would restart them all): liveness only connects.
        var liveness = container.Map("livenessProbe").Map("tcpSocket").Text("port")!;
        Assert.Equal(httpPort, int.TryParse(liveness, out var livenessPort) ? livenessPort : named[liveness]);
    }

    [Fact]
    public void Service_target_ports_are_named_ports_of_the_pods_they_select()
    {
        var template = SiloTemplate();
        var podLabels = template.Map("metadata").Strings("labels");
        var podPorts = template.Map("spec").Maps("containers").SelectMany(c => c.Maps("ports"))
            .ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!));

        var services = Manifests.OfKind("Service").ToList();
        Assert.Equal(2, services.Count);
        foreach (var service in services)
        {
            var selector = service.Root.Map("spec").Strings("selector");
            Assert.NotEmpty(selector);
            foreach (var (key, value) in selector)
                Assert.True(podLabels.GetValueOrDefault(key) == value, $"{service}: selector {key}={value} does not match the silo pods");
            foreach (var port in service.Root.Map("spec").Maps("ports"))
            {
                var target = port.Text("targetPort")!;
                Assert.True(podPorts.ContainsKey(target), $"{service}: targetPort {target} is not a named container port");
                Assert.True(podPorts[target] == int.Parse(port.Text("port")!), $"{service}: port {port.Text("name")} differs from the container's {target}");
            }
        }
    }

    [Fact]
    public void Clients_reach_the_NSQ_ports_through_the_ClusterIP_service()
    {
        var ports = Manifests.Single("Service", "orleans-nsq").Root.Map("spec").Maps("ports").Select(p => p.Text("targetPort")).Order();

        Assert.Equal(new[] { "http", "lookupd-http", "lookupd-tcp", "tcp" }, ports);
    }

    [Fact]
    public void Workload_selectors_match_their_pod_labels_and_the_PodDisruptionBudget_selects_the_silos()
    {
        foreach (var (workload, template) in Manifests.PodTemplates().Where(t => t.Workload.Kind != "Job"))
        {
            var labels = template.Map("metadata").Strings("labels");
            foreach (var (key, value) in workload.Root.Map("spec").Map("selector").Strings("matchLabels"))
                Assert.True(labels.GetValueOrDefault(key) == value, $"{workload}: matchLabels {key}={value} is not on its pods");
        }
        var silos = SiloTemplate().Map("metadata").Strings("labels");
        foreach (var pdb in Manifests.OfKind("PodDisruptionBudget"))
        foreach (var (key, value) in pdb.Root.Map("spec").Map("selector").Strings("matchLabels"))
            Assert.True(silos.GetValueOrDefault(key) == value, $"{pdb}: matchLabels {key}={value} is not on the silo pods");
    }

    [Fact]
    public void StatefulSet_is_governed_by_the_headless_service_its_pods_broadcast()
    {
        var statefulSet = Manifests.Single("StatefulSet", SiloStatefulSet);
        var serviceName = statefulSet.Root.Map("spec").Text("serviceName")!;
        var headless = Manifests.Single("Service", serviceName);

        Assert.Equal("None", headless.Root.Map("spec").Text("clusterIP"));
        Assert.Contains($".{serviceName}.", EffectiveValue(SiloContainer(), NsqFlags.Find("broadcast-address")!));
    }

    [Fact]
    public void Silo_runs_in_cluster_mode_on_postgres_with_the_connection_from_the_secret()
    {
        var container = SiloContainer();

        Assert.Equal("postgres", Flags(container)["cluster"]);
        var connection = Env(container).Single(e => ConfigKey(e.Text("name")!) == "Cluster:ConnectionString");
        Assert.True(connection.Map("valueFrom").Has("secretKeyRef"), "the cluster connection string is not read from a Secret");
    }

    [Fact]
    public void Every_secret_referenced_is_one_the_secrets_component_generates_and_none_is_shipped()
    {
        var secrets = KubernetesManifests.Load(KubernetesManifests.Root + "/secrets").All.Single(m => m.Kind == "Component");
        var generated = secrets.Root.Maps("secretGenerator").ToDictionary(g => g.Text("name")!, g => g.Texts("envs").ToList());
        var referenced = new HashSet<string>();
        foreach (var (workload, container) in Containers())
        foreach (var env in Env(container))
        {
            var reference = env.Map("valueFrom").Map("secretKeyRef");
            if (reference.Children.Count == 0) continue;
            Assert.True(generated.ContainsKey(reference.Text("name")!), $"{workload}: {env.Text("name")} reads Secret {reference.Text("name")}, which secrets/kustomization.yaml does not generate");
            // The key the comments and docs/DEPLOY.md tell the operator to write in each env file.
            Assert.Equal("connection-string", reference.Text("key"));
            referenced.Add(reference.Text("name")!);
        }
        Assert.Equal(generated.Keys.Order(), referenced.Order());
        Assert.Empty(Manifests.OfKind("Secret"));
        // The env files are the operator's and never committed.
        var ignore = File.ReadAllLines(Path.Combine(KubernetesManifests.RepositoryRoot(), KubernetesManifests.Root, "secrets", ".gitignore"));
        Assert.Contains("*", ignore);
        Assert.DoesNotContain(generated.Values.SelectMany(f => f), f => ignore.Contains("!" + f));
    }

    [Fact]
    public void Silo_pods_carry_what_Orleans_Kubernetes_hosting_reads()
    {
        var template = SiloTemplate();
        var labels = template.Map("metadata").Strings("labels");
        var container = SiloContainer();
        var fields = Env(container).Where(e => e.Map("valueFrom").Has("fieldRef"))
            .ToDictionary(e => e.Text("name")!, e => e.Map("valueFrom").Map("fieldRef").Text("fieldPath"));

        Assert.Equal("metadata.name", fields.GetValueOrDefault(KubernetesHostingOptions.PodNameEnvironmentVariable));
        Assert.Equal("metadata.namespace", fields.GetValueOrDefault(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        Assert.Equal("status.podIP", fields.GetValueOrDefault(KubernetesHostingOptions.PodIPEnvironmentVariable));
        Assert.Equal(KubernetesHosting.PodNameVariable, KubernetesHostingOptions.PodNameEnvironmentVariable);
        foreach (var (variable, label, flag) in new[]
        {
            (KubernetesHostingOptions.ServiceIdEnvironmentVariable, KubernetesHostingOptions.ServiceIdLabel, "service-id"),
            (KubernetesHostingOptions.ClusterIdEnvironmentVariable, KubernetesHostingOptions.ClusterIdLabel, "cluster-id"),
        })
        {
            Assert.False(string.IsNullOrEmpty(labels.GetValueOrDefault(label)), $"the silo pods have no {label} label");
            Assert.Equal($"metadata.labels['{label}']", fields.GetValueOrDefault(variable));
            // Orleans' ClusterOptions and the pod label must agree, or the silo patches its own label away from the
            // one the StatefulSet selects by.
            Assert.Equal($"$({variable})", Flags(container)[flag]);
        }
    }

    [Fact]
    public void Rbac_grants_the_silos_service_account_what_Orleans_Kubernetes_hosting_uses_on_pods()
    {
        var serviceAccount = SiloTemplate().Map("spec").Text("serviceAccountName")!;
        Manifests.Single("ServiceAccount", serviceAccount);
        var binding = Manifests.OfKind("RoleBinding").Single(b =>
            b.Root.Maps("subjects").Any(s => s.Text("kind") == "ServiceAccount" && s.Text("name") == serviceAccount));
        var roleRef = binding.Root.Map("roleRef");
        Assert.Equal("Role", roleRef.Text("kind"));
        var role = Manifests.Single("Role", roleRef.Text("name")!);

        var podVerbs = role.Root.Maps("rules")
            .Where(r => r.Texts("apiGroups").Contains("") && r.Texts("resources").Contains("pods"))
            .SelectMany(r => r.Texts("verbs")).ToHashSet();
        // KubernetesClusterAgent: ReadNamespacedPod (get), PatchNamespacedPod (labels), ListNamespacedPod (list and
        // watch=true), DeleteNamespacedPod only with DeleteDefunctSiloPods.
        foreach (var verb in new[] { "get", "list", "watch", "patch" })
            Assert.True(podVerbs.Contains(verb), $"{role} does not grant {verb} on pods");
        // Off by default (DeleteDefunctSiloPods), so not granted.
        Assert.DoesNotContain("delete", podVerbs);
    }

    [Fact]
    public void Grace_period_covers_the_preStop_and_the_hosts_graceful_stop()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddNsqNode();
        var shutdown = builder.Services.BuildServiceProvider().GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var preStop = SiloContainer().Map("lifecycle").Map("preStop").Map("exec").Texts("command").ToList();
        Assert.Equal("sleep", preStop[0]);

        var grace = int.Parse(SiloTemplate().Map("spec").Text("terminationGracePeriodSeconds")!);
        Assert.True(grace >= int.Parse(preStop[1]) + shutdown.TotalSeconds + 5,
            $"terminationGracePeriodSeconds {grace} < preStop {preStop[1]} s + ShutdownTimeout {shutdown.TotalSeconds} s + 5 s");
    }

    [Fact]
    public void Pending_cluster_flags_agree_with_NsqFlags_where_it_has_them()
    {
        foreach (var pending in SiloFlagTable.PendingClusterFlags)
        {
            var real = NsqFlags.Find(pending.Name);
            if (real is null) continue;
            Assert.Equal(pending.ConfigKey, real.ConfigKey);
            if (pending.Name.EndsWith("address", StringComparison.Ordinal))
                Assert.Equal(SiloFlagTable.Port(pending.Default), SiloFlagTable.Port(real.Default));
        }
    }
}
