using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// Logs an episode of one cluster read (or of the writes) not being answered once, not once per request: the first
/// unanswered call after an answer logs a warning, the first answer after that says the cluster answers again. A
/// cut-off silo serving a busy /lookup would otherwise log every request.
/// </summary>
internal sealed class UnansweredEpisode(string what, ILogger logger, Action<ILogger, string, TimeSpan, Exception> logStart)
{
    private int _unanswered;

    public void Unanswered(Exception exception, TimeSpan bound)
    {
        if (Interlocked.Exchange(ref _unanswered, 1) == 0) logStart(logger, what, bound, exception);
    }

    public void Answered()
    {
        if (Volatile.Read(ref _unanswered) != 0 && Interlocked.Exchange(ref _unanswered, 0) != 0)
        {
            HttpLog.ClusterAnswersAgain(logger, what);
        }
    }
}
