namespace OrleansNsq.AdminUi.Tests.Infrastructure;

/// <summary>
/// A consumer on a raw protocol V2 connection that IDENTIFYs with a known user agent, subscribes, and holds the
/// messages it receives in flight (it never FINs), so a channel shows one client with in-flight messages.
/// </summary>
public sealed class Consumer : IAsyncDisposable
{
    public const string UserAgent = "admin-ui-tests/1.0";

    private readonly V2Client _client;

    private Consumer(V2Client client) => _client = client;

    public static async Task<Consumer> SubscribeAsync(int tcpPort, string topic, string channel, int ready)
    {
        var client = await V2Client.ConnectAsync(tcpPort);
        await client.Identify(new { client_id = "ui-consumer", hostname = "ui-consumer-host", user_agent = UserAgent, feature_negotiation = false });
        await client.ExpectOkAsync("identify");
        await client.Sub(topic, channel);
        await client.ExpectOkAsync($"sub {topic}/{channel}");
        await client.Rdy(ready);
        return new Consumer(client);
    }

    /// <summary>Reads the next message (bounded), leaving it in flight.</summary>
    public Task<NsqMessage> ReceiveAsync(string phase) => _client.ExpectMessageAsync(phase);

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
