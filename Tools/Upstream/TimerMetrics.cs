using System.Diagnostics;
using System.Globalization;

namespace OrleansNsq.Tools.Upstream;

/// <summary>
/// Every <c>--status-every</c> requests, one line on stderr with their 99th/95th percentile and mean duration, as the
/// timer_metrics that nsq_to_http and nsq_to_nsq log through (<c>[aggregate]:</c>, or <c>[address]:</c> per destination).
/// 0 disables it.
/// </summary>
internal sealed class TimerMetrics(int every, string prefix, TextWriter output)
{
    private readonly List<double> _milliseconds = new(Math.Max(every, 0));
    private readonly object _gate = new();

    public void Status(long startTimestamp)
    {
        if (every <= 0) return;
        var ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        string? line = null;
        lock (_gate)
        {
            _milliseconds.Add(ms);
            if (_milliseconds.Count >= every)
            {
                _milliseconds.Sort();
                line = string.Create(CultureInfo.InvariantCulture,
                    $"{prefix} finished {_milliseconds.Count} requests - 99th: {Percentile(0.99):0.00}ms - 95th: {Percentile(0.95):0.00}ms - avg: {_milliseconds.Average():0.00}ms");
                _milliseconds.Clear();
            }
        }
        if (line is not null)
        {
            lock (output) output.WriteLine(line);
        }
    }

    private double Percentile(double p) => _milliseconds[Math.Min(_milliseconds.Count - 1, (int)Math.Ceiling(p * _milliseconds.Count) - 1)];
}
