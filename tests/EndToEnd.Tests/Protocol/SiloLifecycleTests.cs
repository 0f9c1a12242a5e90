using System.Net.Sockets;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Protocol;

/// <summary>The Silo process as an operator sees it: started with nsqd flags, stopped with SIGTERM.</summary>
public sealed class SiloLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_stops_the_silo_with_exit_code_0_and_closes_its_ports()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using (var client = await V2Client.ConnectAsync(silo.TcpPort))
        {
            await client.Pub("lifecycle", "before-sigterm");
            await client.ExpectOkAsync("PUB before SIGTERM");
        }

        var code = await silo.TerminateAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(silo.OutputSince(0));

        Assert.True(code == 0, $"a clean shutdown exits 0, not {code}");
        await Assert.ThrowsAsync<SocketException>(() => V2Client.ConnectAsync(silo.TcpPort));
    }
}
