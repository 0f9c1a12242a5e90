namespace OrleansNsq.Tools.Upstream;

/// <summary>
/// Picks a destination per message. In <see cref="UpstreamMode.RoundRobin"/> the n-th pick is address n mod count. In
/// <see cref="UpstreamMode.HostPool"/> it behaves as go-hostpool's standard pool (what NSQ's tools use): round robin
/// over the healthy addresses; one that failed is dead and skipped, retried once after 30 s, then after twice as long
/// each time it fails again (at most 15 min); when every address is dead, all are taken back.
/// </summary>
internal sealed class HostPool
{
    private static readonly TimeSpan InitialRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(15);

    private readonly Host[] _hosts;
    private readonly UpstreamMode _mode;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private long _counter;
    private int _next;

    public HostPool(IReadOnlyList<string> addresses, UpstreamMode mode, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(addresses.Count);
        _hosts = addresses.Select(a => new Host(a)).ToArray();
        _mode = mode;
        _time = time ?? TimeProvider.System;
    }

    public IReadOnlyList<string> Addresses => _hosts.Select(h => h.Address).ToArray();

    /// <summary>The destination for the next message.</summary>
    public string Next()
    {
        if (_mode == UpstreamMode.RoundRobin)
        {
            // as NSQ: the counter is incremented first, so the first message goes to the second address
            var n = (ulong)Interlocked.Increment(ref _counter);
            return _hosts[(int)(n % (ulong)_hosts.Length)].Address;
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            for (var i = 0; i < _hosts.Length; i++)
            {
                var index = (_next + i) % _hosts.Length;
                var host = _hosts[index];
                if (host.Dead && host.RetryAt > now) continue;
                if (host.Dead)
                {
                    // one retry now; the next is further away if this one fails too
                    host.RetryAt = now + host.RetryDelay;
                    host.RetryDelay = host.RetryDelay * 2 < MaxRetryDelay ? host.RetryDelay * 2 : MaxRetryDelay;
                }
                _next = index + 1;
                return host.Address;
            }
            foreach (var host in _hosts) host.Dead = false;
            _next = 1;
            return _hosts[0].Address;
        }
    }

    /// <summary>Reports how a request to <paramref name="address"/> went (hostpool mode only; round robin ignores it).</summary>
    public void Mark(string address, bool success)
    {
        if (_mode != UpstreamMode.HostPool) return;
        lock (_gate)
        {
            var host = Array.Find(_hosts, h => h.Address == address);
            if (host is null) return;
            if (success)
            {
                host.Dead = false;
            }
            else if (!host.Dead)
            {
                host.Dead = true;
                host.RetryDelay = InitialRetryDelay;
                host.RetryAt = _time.GetUtcNow() + InitialRetryDelay;
            }
        }
    }

    private sealed class Host(string address)
    {
        public string Address { get; } = address;
        public bool Dead { get; set; }
        public DateTimeOffset RetryAt { get; set; }
        public TimeSpan RetryDelay { get; set; } = InitialRetryDelay;
    }
}
