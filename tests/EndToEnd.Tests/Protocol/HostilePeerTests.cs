using System.Buffers.Binary;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Protocol;

/// <summary>
/// Raw-socket peers that break the protocol V2 rules, against a real Silo: each gets nsqd's exact error
/// frame and, when nsqd's error is fatal, a closed connection; none of them harms other connections.
/// </summary>
public sealed class HostilePeerTests(SiloFixture fixture, ITestOutputHelper output)
    : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    [Fact]
    public async Task Bad_magic_gets_bare_E_BAD_PROTOCOL_and_close()
    {
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort, sendMagic: false);
        await client.WriteAsync("  V1");

        await client.ExpectErrorAsync("E_BAD_PROTOCOL", "bad magic answered");
        await client.ExpectClosedAsync("bad magic closes");
    }

    [Fact]
    public async Task Unknown_command_is_fatal_E_INVALID_invalid_command()
    {
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort);
        await client.WriteAsync("FOO\n");

        await client.ExpectErrorAsync("E_INVALID invalid command FOO", "unknown verb answered");
        await client.ExpectClosedAsync("unknown verb closes");
    }

    [Fact]
    public async Task Fin_of_unknown_id_is_E_FIN_FAILED_and_keeps_the_connection()
    {
        var topic = Unique("badfin");
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort);
        await client.Sub(topic, "ch");
        await client.ExpectOkAsync("SUB");

        await client.Fin("0000000000000000");
        await client.ExpectErrorAsync("E_FIN_FAILED FIN 0000000000000000 failed ID not in flight", "FIN of an unknown id");

        await client.Pub(topic, "still-here");
        await client.ExpectOkAsync("PUB on the same connection after E_FIN_FAILED");
    }

    [Fact]
    public async Task Pub_larger_than_max_msg_size_is_fatal_E_BAD_MESSAGE()
    {
        var topic = Unique("toobig");
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort);
        // Only the size word: nsqd rejects the size before reading any body byte.
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, 1_048_577);
        await client.WriteAsync($"PUB {topic}\n");
        await client.WriteAsync(size);

        await client.ExpectErrorAsync("E_BAD_MESSAGE PUB message too big 1048577 > 1048576", "oversize PUB answered");
        await client.ExpectClosedAsync("oversize PUB closes");
    }

    [Fact]
    public async Task Garbage_and_abrupt_disconnects_do_not_harm_another_connection()
    {
        const int count = 20;
        var topic = Unique("hostile");
        await using var consumer = await V2Client.ConnectAsync(Silo.TcpPort);
        await consumer.Sub(topic, "ch");
        await consumer.ExpectOkAsync("consumer SUB");
        await consumer.Rdy(count);
        await using var producer = await V2Client.ConnectAsync(Silo.TcpPort);
        await producer.Pub(topic, "before-0");
        await producer.ExpectOkAsync("PUB before the hostile peers");

        // 1: random bytes instead of the magic
        var random = new Random(20261125);
        var garbage = new byte[4096];
        random.NextBytes(garbage);
        await using (var peer = await V2Client.ConnectAsync(Silo.TcpPort, sendMagic: false))
        {
            await peer.WriteAsync(garbage);
            await peer.ExpectErrorAsync("E_BAD_PROTOCOL", "garbage instead of magic");
        }

        // 2: the magic, then random bytes; whatever the server answers, it must not crash
        await using (var peer = await V2Client.ConnectAsync(Silo.TcpPort))
        {
            await peer.WriteAsync(garbage);
            await peer.WriteAsync("\n");
            peer.Abort();
        }

        // 3: a PUB that announces 100 bytes, sends 10 and resets the connection
        await using (var peer = await V2Client.ConnectAsync(Silo.TcpPort))
        {
            var header = V2Client.Command($"PUB {topic}", new byte[100]);
            await peer.WriteAsync(header.AsMemory(0, header.Length - 90));
            peer.Abort();
        }

        // 4: half a command line, then a clean close
        await using (var peer = await V2Client.ConnectAsync(Silo.TcpPort))
        {
            await peer.WriteAsync($"SUB {topic}");
        }

        // 5: an MPUB whose second part is cut off by a reset
        await using (var peer = await V2Client.ConnectAsync(Silo.TcpPort))
        {
            var mpub = new byte[4 + 4 + 5 + 4 + 5];
            BinaryPrimitives.WriteInt32BigEndian(mpub, 2);
            BinaryPrimitives.WriteInt32BigEndian(mpub.AsSpan(4), 5);
            "part0"u8.CopyTo(mpub.AsSpan(8));
            BinaryPrimitives.WriteInt32BigEndian(mpub.AsSpan(13), 5);
            var command = V2Client.Command($"MPUB {topic}", mpub);
            await peer.WriteAsync(command.AsMemory(0, command.Length - 3));
            peer.Abort();
        }

        for (var i = 1; i < count; i++)
        {
            await producer.Pub(topic, $"after-{i}");
            await producer.ExpectOkAsync($"PUB after-{i} after the hostile peers");
        }

        var bodies = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            var message = await consumer.ExpectMessageAsync($"consumer gets message {i + 1} of {count} (has {string.Join(',', bodies)})");
            bodies.Add(message.BodyText);
            await consumer.Fin(message.Id);
        }

        var expected = new[] { "before-0" }.Concat(Enumerable.Range(1, count - 1).Select(i => $"after-{i}")).ToHashSet();
        Assert.Equal(expected, bodies);

        // the cut-off PUB and MPUB must not have published anything
        NsqdStats? stats = null;
        await BoundedWait.UntilAsync(
            "stats count the complete PUBs",
            $"topic message_count to reach {count}",
            TimeSpan.FromSeconds(30),
            async () =>
            {
                stats = await Http.StatsAsync(topic);
                return (stats.TopicCounter(topic, "message_count") >= count, stats.Describe(topic, "ch"));
            },
            SiloOutput);
        Assert.True(stats!.TopicCounter(topic, "message_count") == count,
            $"only the {count} complete PUBs count: {stats.Describe(topic, "ch")}");
    }
}
