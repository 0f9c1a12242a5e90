namespace OrleansNsq.Tests.Bytes;

/// <summary>Bytes allocated by code under test, on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// Bytes allocated on this thread by 100 calls (also AllocationBudgetTests). The warm-up passes tiered
    /// compilation's call-count threshold (30), and the least of three rounds is returned: the runtime now and then
    /// allocates on the calling thread while it tiers a method up (seen once in CI on 2 cores), whereas an allocation
    /// in the code under test happens in every round.
    /// </summary>
    public static long AllocatedBy(Action action)
    {
        for (var i = 0; i < 50; i++)
        {
            action();
        }

        var least = long.MaxValue;
        for (var round = 0; round < 3 && least > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                action();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
