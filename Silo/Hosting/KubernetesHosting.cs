using Microsoft.Extensions.Configuration;

using OrleansNsq.Gateway.Options;

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

    /// <summary>
    /// Calls Orleans' <c>UseKubernetesHosting()</c> when <see cref="ShouldUse"/> says so: the silo then takes its name
    /// from the pod, advertises <c>POD_IP</c>, reads <c>ORLEANS_SERVICE_ID</c>/<c>ORLEANS_CLUSTER_ID</c>, labels its
    /// pod and declares dead the silos whose pods are gone. It needs the Role in deploy/kubernetes/rbac.yaml.
    /// </summary>
    public static ISiloBuilder UseKubernetesHostingWhenInPod(this ISiloBuilder silo, IConfiguration configuration) =>
        silo.UseKubernetesHostingWhenInPod(configuration, Environment.GetEnvironmentVariable);

    /// <summary>The same, reading the environment through <paramref name="environment"/> (tests).</summary>
    public static ISiloBuilder UseKubernetesHostingWhenInPod(this ISiloBuilder silo, IConfiguration configuration,
        Func<string, string?> environment)
    {
        if (ShouldUse(configuration, environment)) silo.UseKubernetesHosting();
        return silo;
    }

    /// <summary>The decision alone, with the environment passed in so it is testable without a pod.</summary>
    public static bool ShouldUse(IConfiguration configuration, Func<string, string?> environment) =>
        !string.IsNullOrWhiteSpace(environment(ServiceHostVariable))
        && !string.IsNullOrWhiteSpace(environment(PodNameVariable))
        && NodeClusterOptions.IsCluster(configuration[ClusterProviderKey]);

}
