using System.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Protocol;

/// <summary>
/// Heartbeats over a real socket (nsqd 1.3.0: nsqd/protocol_v2.go): `_heartbeat_` every heartbeat_interval after
/// IDENTIFY, and a connection silent for two intervals is closed without an error frame.
/// </summary>
public sealed class HeartbeatTests(SiloFixture fixture, ITestOutputHelper output)
    : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Identify_with_heartbeat_interval_1000_gets_heartbeats_while_answering_NOP()
    {
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort);
        await client.Identify(new { heartbeat_interval = 1000 });
        await client.ExpectOkAsync("IDENTIFY heartbeat_interval 1000");

        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 4; i++)
        {
            var frame = await client.ReadFrameAsync($"heartbeat {i}", Interval * 5)
                        ?? throw new Xunit.Sdk.XunitException($"phase 'heartbeat {i}': the server closed a connection that answered every heartbeat with NOP");
            Assert.True(frame.IsHeartbeat, $"phase 'heartbeat {i}': expected _heartbeat_, got {frame}");
            await client.Nop();
        }

        // four heartbeats one interval apart: not faster than ~3 intervals, not far slower than 4
        Assert.InRange(clock.Elapsed, Interval * 2.5, Interval * 12);
    }

    [Fact]
    public async Task Connection_silent_for_two_heartbeat_intervals_is_closed()
    {
        await using var client = await V2Client.ConnectAsync(Silo.TcpPort);
        await client.Identify(new { heartbeat_interval = 1000 });
        await client.ExpectOkAsync("IDENTIFY heartbeat_interval 1000");
        var clock = Stopwatch.StartNew();

        var heartbeats = await client.ExpectClosedAsync("silent connection closed after 2 intervals", Interval * 10);

        Assert.True(heartbeats >= 1, "a heartbeat comes one interval after IDENTIFY, before the close");
        Assert.True(clock.Elapsed >= Interval * 1.5,
            $"the close comes two intervals after the last command, not after {clock.Elapsed.TotalMilliseconds:0} ms");
    }
}
