using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Hosting.Memory;

/// <summary>
/// Gives an idle node's memory back. Idle, Orleans' and the gateway's timers still allocate ~40 KB/s: too little to
/// start a gen0 collection for minutes, so the heap grows by the whole gen0 budget, and glibc keeps what native code
/// freed (SQLite, the JIT) in its arenas. When a whole period passed without a collection, this collects gen0 and
/// returns free native memory (<c>malloc_trim</c>). Under load collections happen by themselves and it does nothing.
/// docs/PERFORMANCE.md "Idle RSS" has the figures.
/// </summary>
public sealed partial class IdleMemoryTrimmer : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(15);

    private readonly ILogger<IdleMemoryTrimmer> _logger;
    private readonly PeriodicTimer _timer;
    private readonly IdleDetector _idle;
    private readonly Action _trim;
    private bool _nativeTrim = OperatingSystem.IsLinux();
    private int _looks;

    /// <summary>Periods looked at so far.</summary>
    internal int Looks => Volatile.Read(ref _looks);

    public IdleMemoryTrimmer(ILogger<IdleMemoryTrimmer> logger, TimeProvider time)
        : this(logger, time, () => GC.CollectionCount(0), trim: null)
    {
    }

    /// <summary>Tests: a collection counter and a trim of their own.</summary>
    internal IdleMemoryTrimmer(ILogger<IdleMemoryTrimmer> logger, TimeProvider time, Func<int> gen0Collections, Action? trim)
    {
        _logger = logger;
        _timer = new PeriodicTimer(Period, time); // from construction: ExecuteAsync starts on another thread
        _idle = new IdleDetector(gen0Collections);
        _trim = trim ?? Trim;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_idle.IsIdle())
                {
                    try
                    {
                        _trim();
                    }
                    catch (Exception ex)
                    {
                        // Memory housekeeping must never stop the node.
                        LogTrimFailed(_logger, ex);
                    }
                    _idle.Trimmed();
                }
                Interlocked.Increment(ref _looks);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    private void Trim()
    {
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        if (_nativeTrim) TrimNative();
        LogTrimmed(_logger, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    private void TrimNative()
    {
        try
        {
            MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            _nativeTrim = false; // not glibc (musl has no malloc_trim)
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "idle memory trim failed")]
    private static partial void LogTrimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Debug, Message = "idle: collected gen0 and trimmed native heaps ({Committed} bytes committed)")]
    private static partial void LogTrimmed(ILogger logger, long committed);
}

/// <summary>Idle means no gen0 collection since the last look: the allocation rate is below a gen0 budget per
/// period.</summary>
public sealed class IdleDetector(Func<int> gen0Collections)
{
    private int _seen = gen0Collections();

    public bool IsIdle()
    {
        var now = gen0Collections();
        var idle = now == _seen;
        _seen = now;
        return idle;
    }

    /// <summary>The trim's own collection does not count as activity.</summary>
    public void Trimmed() => _seen = gen0Collections();
}
