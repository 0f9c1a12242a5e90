using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansNsq.Gateway.Hosting.Memory;

namespace OrleansNsq.Gateway.Tests.Hosting;

public sealed class IdleMemoryTrimmerTests
{
    private int _collections;
    private int _trims;

    [Fact]
    public async Task A_period_without_a_collection_is_trimmed_once_and_the_trims_own_collection_is_not_activity()
    {
        var time = new FakeTimeProvider();
        using var trimmer = Trimmer(time);
        await trimmer.StartAsync(CancellationToken.None);

        await Tick(time, trimmer);
        Assert.Equal(1, _trims);
        await Tick(time, trimmer); // the trim collected gen0 itself: still idle
        Assert.Equal(2, _trims);
        await trimmer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_period_with_collections_is_busy_and_not_trimmed()
    {
        var time = new FakeTimeProvider();
        using var trimmer = Trimmer(time);
        await trimmer.StartAsync(CancellationToken.None);

        _collections += 3;
        await Tick(time, trimmer);
        Assert.Equal(0, _trims);
        await Tick(time, trimmer); // quiet again
        Assert.Equal(1, _trims);
        await trimmer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void The_detector_compares_with_its_last_look()
    {
        var detector = new IdleDetector(() => _collections);
        Assert.True(detector.IsIdle());
        _collections++;
        Assert.False(detector.IsIdle());
        Assert.True(detector.IsIdle());
        _collections++; // the trim's own collection
        detector.Trimmed();
        Assert.True(detector.IsIdle());
    }

    private IdleMemoryTrimmer Trimmer(FakeTimeProvider time) =>
        new(NullLogger<IdleMemoryTrimmer>.Instance, time, () => _collections, () => { _trims++; _collections++; });

    private static async Task Tick(FakeTimeProvider time, IdleMemoryTrimmer trimmer)
    {
        var looks = trimmer.Looks;
        time.Advance(IdleMemoryTrimmer.Period);
        // The timer's continuation runs on the thread pool: wait (bounded) until the period was looked at.
        for (var i = 0; i < 500 && trimmer.Looks == looks; i++) await Task.Delay(10);
        Assert.Equal(looks + 1, trimmer.Looks);
    }
}
