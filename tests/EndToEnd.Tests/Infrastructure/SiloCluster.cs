using System.Text.Json;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Real Silo processes in cluster mode (--cluster=postgres) on one PostgreSQL schema, each on its own ports, as an
/// operator would run them on one host. Membership timings are shortened (a dead silo is declared within seconds),
/// unless <see cref="ProductMembership"/> asks for the product's own.
/// </summary>
public sealed class SiloCluster(string connectionString, string[] extraFlags) : IAsyncDisposable
{
    /// <summary>Probe every second, declare dead after two missed probes: the test's clock, not production's.</summary>
    private static readonly Dictionary<string, string> FastMembership = new()
    {
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
    };

    public string ClusterId { get; } = "c" + Guid.NewGuid().ToString("N")[..8];
    public List<SiloProcess> Silos { get; } = [];

    /// <summary>True: the silos keep the product's membership timings (a test that measures them); false (default): the
    /// test's <see cref="FastMembership"/>.</summary>
    public bool ProductMembership { get; init; }

    public static async Task<SiloCluster> StartAsync(string connectionString, int silos, params string[] extraFlags)
    {
        var cluster = new SiloCluster(connectionString, extraFlags);
        try
        {
            // One by one: the first creates the schema and the membership version row.
            for (var i = 0; i < silos; i++) await cluster.AddSiloAsync();
            await cluster.WaitForProducersAsync(silos, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public Task<SiloProcess> AddSiloAsync() => AddSiloAsync(new Dictionary<string, string>());

    /// <summary>A silo with environment variables of its own on top of the fast membership timings (e.g. a pod's).</summary>
    public Task<SiloProcess> AddSiloAsync(IReadOnlyDictionary<string, string> environment) => AddSiloAsync(environment, ports: null);

    /// <summary>As <see cref="AddSiloAsync(IReadOnlyDictionary{string, string})"/>, on the given ports
    /// (<see cref="SiloProcess.StartOnPortsAsync"/>) when <paramref name="ports"/> is not null.</summary>
    public async Task<SiloProcess> AddSiloAsync(IReadOnlyDictionary<string, string> environment, int[]? ports)
    {
        var variables = ProductMembership ? new Dictionary<string, string>() : new Dictionary<string, string>(FastMembership);
        foreach (var (name, value) in environment) variables[name] = value;
        string[] flags =
        [
            "--cluster", "postgres", "--cluster-connection", connectionString, "--cluster-id", ClusterId,
            "--advertised-ip", "127.0.0.1", .. extraFlags,
        ];
        var start = ports is null ? SiloProcess.StartAsync(variables, flags) : SiloProcess.StartOnPortsAsync(ports, variables, flags);
        var silo = await BoundedWait.ForAsync(start, "start a cluster silo", TimeSpan.FromSeconds(90));
        Silos.Add(silo);
        return silo;
    }

    /// <summary>The producers /lookup-style answers list: every silo's /nodes, as (tcp port) sets.</summary>
    public static async Task<int[]> NodesAsync(SiloProcess silo)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var nodes = JsonDocument.Parse(await http.GetStringAsync($"http://{silo.LookupdHttpAddress}/nodes"));
        return nodes.RootElement.GetProperty("producers").EnumerateArray().Select(p => p.GetProperty("tcp_port").GetInt32()).Order().ToArray();
    }

    /// <summary>Waits until every live silo's lookupd lists exactly <paramref name="count"/> producers, the live ones.</summary>
    public Task WaitForProducersAsync(int count, TimeSpan timeout) =>
        BoundedWait.UntilAsync("cluster membership", $"{count} producers in every lookupd", timeout, async () =>
        {
            var live = Silos.Where(s => !s.HasExited).ToList();
            var expected = live.Select(s => s.TcpPort).Order().ToArray();
            var seen = new List<string>();
            var ok = live.Count == count;
            foreach (var silo in live)
            {
                try
                {
                    var nodes = await NodesAsync(silo);
                    seen.Add($"{silo.TcpPort}: [{string.Join(",", nodes)}]");
                    ok &= nodes.SequenceEqual(expected);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    seen.Add($"{silo.TcpPort}: {e.Message}");
                    ok = false;
                }
            }
            return (ok, string.Join("; ", seen));
        });

    public string Output() => string.Join(Environment.NewLine, Silos.Select((s, i) => $"--- silo {i} (tcp {s.TcpPort}) ---{Environment.NewLine}{s.OutputSince(0)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos) await silo.DisposeAsync();
    }
}
