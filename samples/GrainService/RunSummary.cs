using System.Text.Json;

namespace OrleansNsq.GrainService;

/// <summary>What the run did, printed as the last stdout line.</summary>
public sealed class RunSummary
{
    private long _published;
    private long _finished;
    private long _received;

    public bool Failed { get; set; }

    public void AddPublished(int count) => Interlocked.Add(ref _published, count);

    public void AddReceived() => Interlocked.Increment(ref _received);

    public void SetFinished(long finished) => Interlocked.Exchange(ref _finished, finished);

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["ok"] = !Failed,
        ["published"] = Interlocked.Read(ref _published),
        ["finished"] = Interlocked.Read(ref _finished),
        ["received"] = Interlocked.Read(ref _received),
    });
}
