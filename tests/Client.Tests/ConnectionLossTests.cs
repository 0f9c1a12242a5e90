using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>Connection loss, against a fake nsqd on loopback (<see cref="FakeNsqd"/>).</summary>
public sealed class ConnectionLossTests
{
    [Fact]
    public async Task TestConsumerRedialsALostDirectNsqdAndSubscribesAgain()
    {
        using var fake = new FakeNsqd();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = "t", Channel = "c", NsqdTcpAddresses = [fake.Address], ReconnectDelay = TimeSpan.FromMilliseconds(100) },
            (_, _) => Task.CompletedTask);

        var start = consumer.StartAsync(timeout.Token);
        using (var first = await fake.AcceptAsync(timeout.Token))
        {
            Assert.Equal("RDY 1", await first.ServeUntilAsync("RDY", timeout.Token));
            await start;
            Assert.Single(consumer.ConnectedNsqds);
        } // the fake drops the connection

        using var second = await fake.AcceptAsync(timeout.Token);
        Assert.Equal("RDY 1", await second.ServeUntilAsync("RDY", timeout.Token));
        Assert.Equal([fake.Address], consumer.ConnectedNsqds);
    }

    [Fact]
    public async Task TestSilentNsqdIsDroppedAfterTwoHeartbeatIntervals()
    {
        // answers IDENTIFY, then falls silent: no heartbeats, no replies
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var fake = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer); // magic + IDENTIFY (small enough to come in one read on loopback)
            var ok = new byte[10];
            BinaryPrimitives.WriteInt32BigEndian(ok, 6);
            "OK"u8.CopyTo(ok.AsSpan(8));
            await stream.WriteAsync(ok);
            while (await stream.ReadAsync(buffer) > 0)
            {
                // swallow the PUB; never answer
            }
        });

        await using var producer = new NsqProducer(new NsqProducerOptions
        {
            NsqdTcpAddress = $"127.0.0.1:{port}", ConnectionCount = 1, HeartbeatInterval = TimeSpan.FromSeconds(1),
        });
        var publish = producer.PublishAsync("t", "x"u8.ToArray());

        var error = await Assert.ThrowsAsync<NsqConnectionException>(() => BoundedWait.ForAsync(publish, "silent nsqd dropped", TimeSpan.FromSeconds(10)));
        Assert.Contains("closed before the reply", error.Message);
        Assert.Equal(0, producer.OpenConnections);
        await fake.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
