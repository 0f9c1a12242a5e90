using k8s;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting.Kubernetes;
using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Producers;

namespace OrleansNsq.Silo.Hosting;

/// <summary>
/// Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes), switched on only where it can work: inside a pod
/// (the kubelet sets <c>KUBERNETES_SERVICE_HOST</c>; the manifests in deploy/kubernetes set <c>POD_NAME</c> through the
/// downward API) and in cluster mode (<c>--cluster</c>). A single node keeps localhost clustering even in a pod: it has
/// no membership table worth reconciling with the pods, and no RBAC to read them.
/// </summary>
public static class KubernetesHosting
{
    /// <summary>Set by the kubelet in every container of a pod (the API server's address).</summary>
    public const string ServiceHostVariable = "KUBERNETES_SERVICE_HOST";

    /// <summary>Orleans' KubernetesHostingOptions.PodNameEnvironmentVariable: the silo's name, and the pod it looks up.</summary>
    public const string PodNameVariable = "POD_NAME";

    /// <summary>The configuration key of <c>--cluster</c>; empty or absent = single node.</summary>
    public const string ClusterProviderKey = "Cluster:Provider";

    /// <summary>When set, the API client reads this kubeconfig file instead of the pod's service account (tests; a silo
    /// run by hand against a cluster).</summary>
    public const string KubeConfigVariable = "KUBECONFIG";

    /// <summary>The configuration section bound to Orleans' <c>KubernetesHostingOptions</c> (e.g. <c>MaxAgents</c>).</summary>
    public const string SectionName = "Orleans:Kubernetes";

    /// <summary>
    /// Calls Orleans' <c>UseKubernetesHosting()</c> when <see cref="ShouldUse"/> says so: the silo then takes its name
    /// from the pod, advertises <c>POD_IP</c>, reads <c>ORLEANS_SERVICE_ID</c>/<c>ORLEANS_CLUSTER_ID</c>, labels its
    /// pod and declares dead the silos whose pods are gone. It needs the Role in deploy/kubernetes/base/rbac.yaml.
    /// Returns whether it did: the caller then leaves the silo name alone (see <see cref="AddProducerMetadata"/>).
    /// </summary>
    public static bool UseKubernetesHostingWhenInPod(this ISiloBuilder silo, IConfiguration configuration) =>
        silo.UseKubernetesHostingWhenInPod(configuration, Environment.GetEnvironmentVariable);

    /// <summary>The same, reading the environment through <paramref name="environment"/> (tests).</summary>
    public static bool UseKubernetesHostingWhenInPod(this ISiloBuilder silo, IConfiguration configuration,
        Func<string, string?> environment)
    {
        if (!ShouldUse(configuration, environment)) return false;
        var kubeConfig = environment(KubeConfigVariable);
        silo.UseKubernetesHosting(options => options
            .Bind(configuration.GetSection(SectionName))
            .Configure(o => o.GetClientConfiguration = string.IsNullOrWhiteSpace(kubeConfig)
                ? KubernetesClientConfiguration.InClusterConfig
                : () => KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeConfig)));
        silo.AddProducerMetadata();
        return true;
    }

    /// <summary>
    /// Orleans' Kubernetes agent declares dead every silo whose name is no pod's, so in a pod the silo name must stay
    /// the pod name and cannot carry the NSQ endpoints (<see cref="ProducerSiloName"/>). They travel instead in the
    /// silo's Orleans metadata (<c>UseSiloMetadata</c>), under <see cref="ProducerSiloName.MetadataKey"/>: every silo
    /// fetches it from each silo that joins membership and drops it when membership declares that silo dead, so
    /// lookupd still follows membership alone (docs/CLUSTER.md).
    /// </summary>
    public static ISiloBuilder AddProducerMetadata(this ISiloBuilder silo)
    {
        var metadata = new Dictionary<string, string>();
        // UseSiloMetadata copies this dictionary when SiloMetadata is first resolved, after the host is built; this
        // Configure, registered before it, runs first and fills it from the node's identity (ports already chosen).
        silo.Services.AddOptions<SiloMetadata>().Configure<NodeIdentity>((_, node) =>
            metadata[ProducerSiloName.MetadataKey] = ProducerSiloName.Format(LookupdProducer.Of(node)));
        return silo.UseSiloMetadata(metadata);
    }

    /// <summary>The decision alone, with the environment passed in so it is testable without a pod.</summary>
    public static bool ShouldUse(IConfiguration configuration, Func<string, string?> environment) =>
        !string.IsNullOrWhiteSpace(environment(ServiceHostVariable))
        && !string.IsNullOrWhiteSpace(environment(PodNameVariable))
        && NodeClusterOptions.IsCluster(configuration[ClusterProviderKey]);

}
