using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Tools.Upstream;

namespace OrleansNsq.Tools.Tests.Upstream;

/// <summary>--mode as NSQ's tools pick a destination: round-robin by a counter, hostpool as go-hostpool's standard pool.</summary>
public sealed class HostPoolTests
{
    [Fact]
    public void Round_robin_starts_at_the_second_address_and_ignores_failures()
    {
        var pool = new HostPool(["a", "b", "c"], UpstreamMode.RoundRobin);
        pool.Mark("b", success: false);
        Assert.Equal(["b", "c", "a", "b"], Enumerable.Range(0, 4).Select(_ => pool.Next()));
    }

    [Fact]
    public void Hostpool_skips_a_failed_address_until_its_retry_delay_of_30_s_passed()
    {
        var time = new FakeTimeProvider();
        var pool = new HostPool(["a", "b"], UpstreamMode.HostPool, time);
        Assert.Equal("a", pool.Next());
        pool.Mark("a", success: false);
        Assert.Equal(["b", "b", "b"], Enumerable.Range(0, 3).Select(_ => pool.Next()));

        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("a", pool.Next()); // one retry
        Assert.Equal("b", pool.Next());
        Assert.Equal("b", pool.Next()); // still dead: the next retry is 60 s away
        pool.Mark("a", success: true);
        Assert.Equal("a", pool.Next());
    }

    [Fact]
    public void Hostpool_takes_every_address_back_when_all_failed()
    {
        var pool = new HostPool(["a", "b"], UpstreamMode.HostPool, new FakeTimeProvider());
        pool.Mark("a", success: false);
        pool.Mark("b", success: false);
        Assert.Equal(["a", "b"], new[] { pool.Next(), pool.Next() });
    }
}
