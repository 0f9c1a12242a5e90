using System.Text;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Protocol;

/// <summary>
/// A consumer that FINs its last messages and disconnects at once (what nsqjs does on close: FINs,
/// then CLS and a half-close) must still have those FINs applied: nsqd reads and executes every
/// command that arrived before the EOF.
/// </summary>
public sealed class FinBeforeCloseTests(SiloFixture fixture, ITestOutputHelper output)
    : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    [Fact]
    public async Task Fins_sent_right_before_close_are_applied()
    {
        // The loss seen was intermittent (most often in the first round on a fresh Silo, with PUB and
        // DPUB alike), hence several rounds, alternating PUB and DPUB.
        const int rounds = 8;
        const int count = 5;
        for (var round = 1; round <= rounds; round++)
        {
            var topic = Unique($"finclose{round}");
            await Http.CreateTopicAsync(topic);
            await Http.CreateChannelAsync(topic, "ch");
            await using (var consumer = await V2Client.ConnectAsync(Silo.TcpPort))
            {
                await consumer.Sub(topic, "ch");
                await consumer.ExpectOkAsync($"round {round}: SUB");
                await consumer.Rdy(count * 2);
                await using (var producer = await V2Client.ConnectAsync(Silo.TcpPort))
                {
                    for (var i = 0; i < count; i++)
                    {
                        var verb = round % 2 == 1 ? $"PUB {topic}" : $"DPUB {topic} 200";
                        await producer.WriteAsync(V2Client.Command(verb, Encoding.UTF8.GetBytes($"m{i}")));
                        await producer.ExpectOkAsync($"round {round}: {verb} #{i}");
                    }
                }

                for (var i = 0; i < count; i++)
                {
                    var message = await consumer.ExpectMessageAsync($"round {round}: message {i + 1} of {count}");
                    await consumer.Fin(message.Id);
                }

                await consumer.Cls();
            }

            await BoundedWait.UntilAsync(
                $"round {round}: FINs sent right before the close are applied",
                "channel in_flight_count 0 and depth 0",
                TimeSpan.FromSeconds(10),
                async () =>
                {
                    var stats = await Http.StatsAsync(topic);
                    return (stats.ChannelCounter(topic, "ch", "in_flight_count") == 0 && stats.ChannelCounter(topic, "ch", "depth") == 0,
                        stats.Describe(topic, "ch"));
                },
                SiloOutput);
        }
    }
}
