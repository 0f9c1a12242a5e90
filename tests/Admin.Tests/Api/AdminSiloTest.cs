using System.Text.Json;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Api;

/// <summary>
/// Base of the tests against one Silo's built-in admin (--admin-http-address): the silo's nsqd and lookupd HTTP
/// APIs, its admin, and a raw V2 consumer helper.
/// </summary>
public abstract class AdminSiloTest : SiloTest, IDisposable
{
    protected AdminSiloTest(SiloFixture fixture, ITestOutputHelper output) : base(fixture, output)
    {
        Admin = new AdminHttp(Silo.AdminHttpAddress);
        Raw = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    protected AdminHttp Admin { get; }

    protected HttpClient Raw { get; }

    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A topic with one channel and <paramref name="messages"/> messages published.</summary>
    protected async Task<(string Topic, string Channel)> TopicWithChannelAsync(int messages, string prefix = "adm")
    {
        var topic = Unique(prefix);
        var channel = Unique("ch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, channel);
        for (var i = 0; i < messages; i++) await Http.PubAsync(topic, $"m{i}");
        return (topic, channel);
    }

    /// <summary>A consumer that said IDENTIFY with <paramref name="userAgent"/>, SUB and RDY.</summary>
    protected static async Task<V2Client> ConsumerAsync(SiloProcess silo, string topic, string channel, int rdy, string userAgent)
    {
        var client = await V2Client.ConnectAsync(silo.TcpPort);
        await client.Identify(new Dictionary<string, object> { ["client_id"] = "admin-test", ["hostname"] = "admin-test-host", ["user_agent"] = userAgent });
        await client.ExpectOkAsync("IDENTIFY");
        await client.Sub(topic, channel);
        await client.ExpectOkAsync("SUB");
        await client.Rdy(rdy);
        return client;
    }

    /// <summary>/stats?format=json of the silo for one topic, once <paramref name="ready"/> holds.</summary>
    protected async Task<NsqdStats> StatsWhenAsync(string topic, string expected, Func<NsqdStats, bool> ready)
    {
        NsqdStats? stats = null;
        await BoundedWait.UntilAsync("stats", expected, Wait, async () =>
        {
            stats = await Http.StatsAsync(topic);
            return (ready(stats), stats.Root.ToString());
        }, SiloOutput);
        return stats!;
    }

    protected async Task<JsonElement> LookupdAsync(string path) =>
        JsonDocument.Parse(await Raw.GetStringAsync($"http://{Silo.LookupdHttpAddress}{path}")).RootElement.Clone();

    protected static long Number(JsonElement element, string name) => element.GetProperty(name).GetInt64();

    public new void Dispose()
    {
        Admin.Dispose();
        Raw.Dispose();
        base.Dispose();
    }
}
