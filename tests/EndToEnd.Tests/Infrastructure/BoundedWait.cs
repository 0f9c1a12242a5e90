using System.Diagnostics;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Waits for a condition observed from outside (a /stats counter, a port answering) with a hard bound.
/// On expiry it throws naming the phase, what was expected and the last thing seen.
/// </summary>
internal static class BoundedWait
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Evaluates <paramref name="probe"/> until it reports success or <paramref name="timeout"/> passes.
    /// The probe returns (done, description of what it saw).
    /// </summary>
    public static async Task UntilAsync(
        string phase,
        string expected,
        TimeSpan timeout,
        Func<Task<(bool Done, string Seen)>> probe,
        Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        var seen = "nothing yet";
        Exception? lastError = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                (var done, seen) = await probe();
                lastError = null;
                if (done)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException)
            {
                lastError = e;
            }

            await Task.Delay(PollInterval);
        }

        var error = lastError is null ? string.Empty : $"; last error: {lastError.GetType().Name}: {lastError.Message}";
        var extra = context is null ? string.Empty : Environment.NewLine + context();
        throw new TimeoutException(
            $"phase '{phase}': waited {timeout.TotalSeconds:0.#} s for {expected}; last seen: {seen}{error}{extra}");
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>, naming the phase on expiry.</summary>
    public static async Task ForAsync(Task task, string phase, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"phase '{phase}': not done within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>, naming the phase on expiry.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, string phase, TimeSpan timeout)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"phase '{phase}': no result within {timeout.TotalSeconds:0.#} s");
        }
    }
}
