namespace OrleansNsq.Gateway.Hosting;

/// <summary>
/// Socket completions run on the socket engine's own threads (one per core) instead of being queued to the thread
/// pool first: one thread hand-off less for every read and write of every connection, NSQ's and Orleans' alike. Nothing
/// on those paths blocks a thread (they await grain calls and the log), which is what inline completions need.
/// Measured on the mixed load (NSQ's bench_writer and bench_reader together): about 20 % more messages per second
/// (docs/PERFORMANCE.md). The runtime reads the switch once, when the first socket is made, so the programs call
/// <see cref="EnableUnlessSet"/> first thing; <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> in the environment
/// turns it off.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null) Environment.SetEnvironmentVariable(Variable, "1");
    }
}
