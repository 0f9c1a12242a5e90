using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;
using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansNsq.Silo.Hosting;

namespace OrleansNsq.Silo.Tests.Hosting;

public class KubernetesHostingTests
{
    private static readonly Dictionary<string, string?> InPod = new()
    {
        [KubernetesHosting.ServiceHostVariable] = "10.96.0.1",
        [KubernetesHosting.PodNameVariable] = "orleans-nsq-0",
    };

    private static IConfiguration Configuration(string? clusterProvider) => new ConfigurationBuilder()
        .AddInMemoryCollection([KeyValuePair.Create(KubernetesHosting.ClusterProviderKey, clusterProvider)])
        .Build();

    private static Func<string, string?> Environment(IReadOnlyDictionary<string, string?> variables) =>
        name => variables.GetValueOrDefault(name);

    [Fact]
    public void In_a_pod_in_cluster_mode_Kubernetes_hosting_is_used()
    {
        Assert.True(KubernetesHosting.ShouldUse(Configuration("postgres"), Environment(InPod)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("none")]
    [InlineData("None")]
    public void In_a_pod_without_cluster_mode_the_single_node_keeps_localhost_clustering(string? provider)
    {
        Assert.False(KubernetesHosting.ShouldUse(Configuration(provider), Environment(InPod)));
    }

    [Fact]
    public void Outside_a_pod_cluster_mode_does_not_use_Kubernetes_hosting()
    {
        Assert.False(KubernetesHosting.ShouldUse(Configuration("postgres"), Environment(new Dictionary<string, string?>())));
    }

    [Fact]
    public void Kubernetes_API_without_POD_NAME_does_not_use_Kubernetes_hosting()
    {
        // Orleans' validator refuses to start without POD_NAME; a container that is not ours (no downward API) stays out.
        var noPodName = new Dictionary<string, string?> { [KubernetesHosting.ServiceHostVariable] = "10.96.0.1" };

        Assert.False(KubernetesHosting.ShouldUse(Configuration("postgres"), Environment(noPodName)));
    }

    [Fact]
    public void POD_NAME_outside_Kubernetes_does_not_use_Kubernetes_hosting()
    {
        var noApiServer = new Dictionary<string, string?> { [KubernetesHosting.PodNameVariable] = "orleans-nsq-0" };

        Assert.False(KubernetesHosting.ShouldUse(Configuration("postgres"), Environment(noApiServer)));
    }

    [Fact]
    public void Used_it_registers_Orleans_Kubernetes_hosting_options()
    {
        var services = SiloServices(Configuration("postgres"), Environment(InPod));

        Assert.Contains(services, d => d.ServiceType == typeof(IConfigureOptions<KubernetesHostingOptions>));
    }

    [Fact]
    public void Not_used_it_registers_nothing_of_Kubernetes_hosting()
    {
        var services = SiloServices(Configuration(null), Environment(InPod));

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IConfigureOptions<KubernetesHostingOptions>));
    }

    [Fact]
    public void Used_the_silo_carries_its_NSQ_endpoints_in_Orleans_silo_metadata_and_keeps_the_pod_name()
    {
        var services = SiloServices(Configuration("postgres"), Environment(InPod));

        // The pod name is the silo name (Orleans' agent matches pods by it); the endpoints go beside it.
        Assert.Contains(services, d => d.ServiceType == typeof(ISiloMetadataCache));
        Assert.Contains(services, d => d.ServiceType == typeof(IConfigureOptions<SiloMetadata>));
    }

    [Fact]
    public void Not_used_the_silo_has_no_producer_metadata()
    {
        var services = SiloServices(Configuration("postgres"), Environment(new Dictionary<string, string?>()));

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ISiloMetadataCache));
    }

    [Fact]
    public void It_reports_whether_it_was_used()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        bool? inPod = null, outside = null;
        builder.UseOrleans(silo =>
        {
            inPod = silo.UseKubernetesHostingWhenInPod(Configuration("postgres"), Environment(InPod));
            outside = silo.UseKubernetesHostingWhenInPod(Configuration("postgres"), Environment(new Dictionary<string, string?>()));
        });

        Assert.Equal((true, false), (inPod, outside));
    }

    private static IServiceCollection SiloServices(IConfiguration configuration, Func<string, string?> environment)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleans(silo => silo.UseKubernetesHostingWhenInPod(configuration, environment));
        return builder.Services;
    }
}
