using System.Globalization;

namespace OrleansNsq.Tools.Stat;

/// <summary>
/// nsq_stat's loop (apps/nsq_stat/nsq_stat.go): poll, print the two header lines every 25 polls, and from the second
/// poll on one row of per-interval rates and current counters. Rates are deltas divided by --interval, as nsq_stat
/// computes them: ingress from message_count, egress from message_count minus the growth of depth.
/// </summary>
internal sealed class NsqStat(StatsSource source, TextWriter output)
{
    private const int RowsPerHeader = 25;

    public const string Header1 = "------rate------+----------------depth----------------+--------------metadata---------------";

    public static readonly string Header2 = string.Format(CultureInfo.InvariantCulture,
        "{0,7} {1,7} | {2,7} {3,7} {4,7} {5,5} {6,5} | {7,7} {8,7} {9,12} {10,7}",
        "ingress", "egress", "total", "mem", "disk", "inflt", "def", "req", "t-o", "msgs", "clients");

    /// <summary>Runs until <paramref name="count"/> rows are printed (0 = until cancelled). Throws <see cref="NsqStatException"/> as nsq_stat's log.Fatal.</summary>
    public async Task RunAsync(string topic, string channel, TimeSpan interval, int count, CancellationToken cancellationToken)
    {
        ChannelTotals? previous = null;
        for (var i = 0; count == 0 || i <= count; i++)
        {
            ChannelTotals? current;
            try
            {
                current = await source.PollAsync(topic, channel, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new NsqStatException($"ERROR: failed to get nsqd stats - {e.Message}");
            }
            if (current is null) throw new NsqStatException($"ERROR: failed to find channel({channel}) in stats metadata for topic({topic})");

            if (i % RowsPerHeader == 0)
            {
                await output.WriteLineAsync(Header1);
                await output.WriteLineAsync(Header2);
            }
            if (previous is not null) await output.WriteLineAsync(Row(previous, current, interval));
            await output.FlushAsync(cancellationToken);
            previous = current;
            if (count != 0 && i == count) break;
            await Task.Delay(interval, cancellationToken);
        }
    }

    public static string Row(ChannelTotals o, ChannelTotals c, TimeSpan interval) => string.Format(CultureInfo.InvariantCulture,
        "{0,7} {1,7} | {2,7} {3,7} {4,7} {5,5} {6,5} | {7,7} {8,7} {9,12} {10,7}",
        (long)((c.MessageCount - o.MessageCount) / interval.TotalSeconds),
        (long)((c.MessageCount - o.MessageCount - (c.Depth - o.Depth)) / interval.TotalSeconds),
        c.Depth, c.MemoryDepth, c.BackendDepth, c.InFlightCount, c.DeferredCount,
        c.RequeueCount, c.TimeoutCount, c.MessageCount, c.ClientCount);
}

/// <summary>A condition nsq_stat ends on with log.Fatal (exit code 1).</summary>
internal sealed class NsqStatException(string message) : Exception(message);
