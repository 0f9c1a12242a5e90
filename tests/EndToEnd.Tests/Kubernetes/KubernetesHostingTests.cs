using System.Diagnostics;
using Npgsql;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Kubernetes;

/// <summary>
/// Three real Silo processes in cluster mode with Orleans' Kubernetes hosting, each "in" a pod of a fake API server
/// (<see cref="FakeKubernetesApi"/>): the environment a StatefulSet's downward API gives (POD_NAME, POD_NAMESPACE,
/// POD_IP), KUBERNETES_SERVICE_HOST as the kubelet sets it, and a kubeconfig pointing the client at the fake server.
/// Orleans' agent declares dead every silo whose name matches no pod, so the silo names must be the pod names while
/// lookupd still lists every silo's NSQ endpoints (docs/CLUSTER.md); deleting a pod must make its silo, and only it,
/// dead and drop it from every lookupd.
/// </summary>
public sealed class KubernetesHostingTests(ITestOutputHelper output)
{
    private const string Namespace = "nsq-test";
    private const int Dead = 6;
    private const int Active = 3;
    private static readonly string[] Pods = ["orleans-nsq-0", "orleans-nsq-1", "orleans-nsq-2"];

    /// <summary>Long enough for every agent's start-up reconciliation and several membership refreshes and probes
    /// (the test cluster refreshes every 2 s and probes every second): a cluster that kills its own silos does so here.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task Silos_named_after_their_pods_stay_active_and_deleting_a_pod_kills_only_its_silo_and_removes_it_from_lookupd()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        var directory = Directory.CreateTempSubdirectory("orleansnsq-k8s-");
        await using var api = FakeKubernetesApi.Start(Namespace, directory.FullName);
        foreach (var pod in Pods) api.AddPod(pod, "127.0.0.1");
        await using var cluster = new SiloCluster(schema.ConnectionString, []);
        SiloProcess? gateway = null;
        try
        {
            foreach (var pod in Pods) await cluster.AddSiloAsync(PodEnvironment(api, pod));
            await cluster.WaitForProducersAsync(Pods.Length, TimeSpan.FromSeconds(60));

            // Orleans' agent ran in the silos: each labelled its own pod with the cluster's ids and one watches the pods.
            await BoundedWait.UntilAsync("Kubernetes agents", "every pod labelled orleans/clusterId and a pod watch open", TimeSpan.FromSeconds(30),
                () => Task.FromResult((
                    Pods.All(p => api.LabelsOf(p).GetValueOrDefault("orleans/clusterId") == cluster.ClusterId) && api.OpenWatches > 0,
                    $"labels: {string.Join("; ", Pods.Select(p => $"{p}={string.Join(",", api.LabelsOf(p))}"))}; watches {api.OpenWatches}")),
                () => Context(cluster, api));
            Assert.Equal(Pods.Select(p => (p, Active)), await MembershipAsync(schema, cluster.ClusterId));
            // A standalone Gateway (an Orleans client: it sees the pod names, not the silos' metadata) lists them too.
            gateway = await SiloProcess.StartGatewayAsync(new Dictionary<string, string>(),
                "--cluster", "postgres", "--cluster-connection", schema.ConnectionString, "--cluster-id", cluster.ClusterId);

            // Nothing happens: no silo is declared dead, none exits, every lookupd keeps listing all three.
            var quiet = Stopwatch.StartNew();
            var allPorts = cluster.Silos.Select(s => s.TcpPort).Order().ToArray();
            while (quiet.Elapsed < Quiet)
            {
                var membership = await MembershipAsync(schema, cluster.ClusterId);
                Assert.True(membership.SequenceEqual(Pods.Select(p => (p, Active))),
                    $"after {quiet.Elapsed.TotalSeconds:0} s of {Quiet.TotalSeconds:0} s: membership {string.Join(", ", membership)}{Environment.NewLine}{Context(cluster, api)}");
                foreach (var silo in cluster.Silos)
                {
                    Assert.False(silo.HasExited, $"a silo exited after {quiet.Elapsed.TotalSeconds:0} s{Environment.NewLine}{Context(cluster, api)}");
                    Assert.Equal(allPorts, await SiloCluster.NodesAsync(silo));
                }
                Assert.Equal(allPorts, await SiloCluster.NodesAsync(gateway));
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            // The pod of silo 1 is deleted (a drain, kubectl delete pod): its silo alone becomes dead.
            var survivors = new[] { cluster.Silos[0], cluster.Silos[2] };
            var survivorPorts = survivors.Select(s => s.TcpPort).Order().ToArray();
            Assert.True(api.DeletePod(Pods[1]));
            await BoundedWait.UntilAsync("pod deleted", $"{Pods[1]} dead in membership and gone from the survivors' and the gateway's lookupd", TimeSpan.FromSeconds(30), async () =>
            {
                var membership = await MembershipAsync(schema, cluster.ClusterId);
                var lookupds = new List<int[]>();
                foreach (var silo in survivors) lookupds.Add(await SiloCluster.NodesAsync(silo));
                lookupds.Add(await SiloCluster.NodesAsync(gateway));
                var done = membership.SequenceEqual([(Pods[0], Active), (Pods[1], Dead), (Pods[2], Active)])
                    && lookupds.All(ports => ports.SequenceEqual(survivorPorts));
                return (done, $"membership {string.Join(", ", membership)}; lookupd tcp ports {string.Join(" / ", lookupds.Select(p => string.Join(",", p)))}");
            }, () => Context(cluster, api));
            Assert.All(survivors, s => Assert.False(s.HasExited));
            output.WriteLine("Kubernetes API requests: " + string.Join(Environment.NewLine, api.Requests.Take(40)));
        }
        catch
        {
            output.WriteLine(Context(cluster, api));
            throw;
        }
        finally
        {
            if (gateway is not null)
            {
                output.WriteLine(gateway.OutputSince(0));
                await gateway.DisposeAsync();
            }
            await cluster.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>What a pod of deploy/kubernetes/statefulset.yaml sees, with the API server being the fake one.</summary>
    private static Dictionary<string, string> PodEnvironment(FakeKubernetesApi api, string pod) => new()
    {
        ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
        ["KUBERNETES_SERVICE_PORT"] = api.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["KUBECONFIG"] = api.KubeConfigPath,
        ["POD_NAME"] = pod,
        ["POD_NAMESPACE"] = Namespace,
        ["POD_IP"] = "127.0.0.1",
        // Every silo may watch the pods, not Orleans' default two (the lowest silo addresses). As read in the agent's
        // source, a watching silo turns its watch off at the next membership change and on at the one after, so
        // which of the first two still watches after three joins depends on how the joins' updates were batched.
        // The silo that joined last turned its watch on at its own activation and watches; the test deletes another
        // silo's pod. This also checks that Orleans:Kubernetes binds.
        ["Orleans__Kubernetes__MaxAgents"] = "3",
    };

    /// <summary>(silo name, status) of every membership row of the cluster, by name.</summary>
    private static async Task<List<(string Name, int Status)>> MembershipAsync(TestSchema schema, string clusterId)
    {
        await using var connection = new NpgsqlConnection(schema.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT silo_name, status FROM nsq_membership WHERE deployment_id = @id ORDER BY silo_name, generation", connection);
        command.Parameters.AddWithValue("id", clusterId);
        var rows = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt32(1)));
        return rows;
    }

    private static string Context(SiloCluster cluster, FakeKubernetesApi api) =>
        $"--- Kubernetes API requests ---{Environment.NewLine}{string.Join(Environment.NewLine, api.Requests.TakeLast(60))}{Environment.NewLine}{cluster.Output()}";
}
