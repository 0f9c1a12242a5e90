using System.Buffers;
using System.Text;
using Orleans.Concurrency;
using OrleansNsq.Protocol;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// PUB, MPUB, DPUB. Consecutive publishes to one topic within a read buffer are collected (body slices of the pipe,
/// not copies) and sent as one <see cref="PublishBatch"/>: the bodies are copied once, into one array that the batch
/// then owns (<see cref="PublishBatch.TakeOwnership"/>), and the topic grain is called once. Each command still gets
/// its own <c>OK</c>, in order.
/// </summary>
internal sealed partial class ClientSession
{
    /// <summary>A run of PUBs is cut here so a batch stays off the large-object heap (85 KB); one MPUB is never cut.</summary>
    private const int PublishBatchBytes = 64 * 1024;

    private readonly List<ReadOnlySequence<byte>> _pubBodies = [];
    private long _pubBytes;
    private int _pubOwedOks;
    private CommandKind _pubKind;
    private int _pubDeferMs;
    private string? _pubTopic;
    private byte[]? _pubTopicBytes;
    private ITopicGrain? _pubTopicGrain;
    private readonly Dictionary<string, long> _pubCounts = new(StringComparer.Ordinal);

    private bool HasPendingPublishes => _pubOwedOks > 0;

    private async ValueTask<bool> AddPublishAsync(V2Command command)
    {
        if (_auth.Enabled && await CheckAuthAsync(command.Kind, Encoding.ASCII.GetString(command.Topic), "") is { } refused)
        {
            // The publishes before this one were taken and are answered first, as nsqd runs commands in order.
            if (await FlushPublishesAsync()) WriteError(refused);
            return false;
        }
        var deferMs = command.Kind == CommandKind.Dpub ? (int)command.Number : 0;
        var sameTopic = _pubTopicBytes is not null && command.Topic.Length == _pubTopicBytes.Length &&
            SequenceEquals(command.Topic, _pubTopicBytes);
        var incoming = command.Kind == CommandKind.Mpub ? command.Body.Length : command.Body.Length;
        if (HasPendingPublishes && (!sameTopic || deferMs != _pubDeferMs || _pubBytes + incoming > PublishBatchBytes))
        {
            if (!await FlushPublishesAsync()) return false;
        }
        if (!sameTopic) SetPublishTopic(command.Topic);
        if (!HasPendingPublishes)
        {
            _pubKind = command.Kind;
            _pubDeferMs = deferMs;
        }

        if (command.Kind == CommandKind.Mpub)
        {
            var parts = new MpubReader(command.Body);
            while (parts.TryNext(out var body))
            {
                _pubBodies.Add(body);
                _pubBytes += body.Length;
            }
        }
        else
        {
            _pubBodies.Add(command.Body);
            _pubBytes += command.Body.Length;
        }
        _pubOwedOks++;
        return true;
    }

    private void SetPublishTopic(in ReadOnlySequence<byte> topic)
    {
        _pubTopicBytes = topic.ToArray();
        _pubTopic = System.Text.Encoding.ASCII.GetString(_pubTopicBytes);
        _pubTopicGrain = _grains.Topic(_pubTopic);
    }

    private static bool SequenceEquals(in ReadOnlySequence<byte> a, byte[] b)
    {
        if (a.IsSingleSegment) return a.FirstSpan.SequenceEqual(b);
        Span<byte> copy = stackalloc byte[64];
        a.CopyTo(copy);
        return copy[..(int)a.Length].SequenceEqual(b);
    }

    /// <summary>Sends the collected publishes as one batch and queues their OKs. False (after the error frame) when
    /// the topic could not take them: nsqd's E_PUB_FAILED is fatal.</summary>
    private async ValueTask<bool> FlushPublishesAsync()
    {
        if (!HasPendingPublishes) return true;
        var count = _pubBodies.Count;
        var data = new byte[_pubBytes];
        var ends = new int[count];
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            var body = _pubBodies[i];
            body.CopyTo(data.AsSpan(at));
            at += (int)body.Length;
            ends[i] = at;
        }
        var owed = _pubOwedOks;
        var kind = _pubKind;
        _pubBodies.Clear();
        _pubBytes = 0;
        _pubOwedOks = 0;

        try
        {
            await ClusterCall.WithinAsync((_pubTopicGrain!, new Immutable<PublishBatch>(PublishBatch.TakeOwnership(data, ends, _pubDeferMs))),
                static (call, token) => call.Item1.PublishAsync(call.Item2, token), _options.PublishTimeout, _time);
        }
        catch (Exception ex)
        {
            ConnectionLog.PublishFailed(_logger, _pubTopic!, ex);
            WriteError(NsqErrors.PublishFailed(kind));
            return false;
        }
        lock (_pubCounts) _pubCounts[_pubTopic!] = _pubCounts.GetValueOrDefault(_pubTopic!) + count;
        for (var i = 0; i < owed; i++) WriteResponse(FrameWriter.OkFrame);
        return true;
    }
}
