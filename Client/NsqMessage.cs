using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using OrleansNsq.Client.Diagnostics;

namespace OrleansNsq.Client;

/// <summary>Who answers for a message: the consumer connection it arrived on, or a test's stand-in
/// (<see cref="NsqMessageFactory"/>). Called at most once per message for FIN or REQ, any number of times for TOUCH.</summary>
public interface INsqMessageResponder
{
    ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken);

    /// <param name="message">The message.</param>
    /// <param name="delay">The delay asked for; null: the consumer's delay for the message's attempt count.</param>
    /// <param name="backoff">Whether the failure counts toward the consumer backoff (and the dead-letter topic).</param>
    /// <param name="cancellationToken">Stops waiting for the write.</param>
    ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken);

    ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken);
}

/// <summary>How a message was answered.</summary>
public enum NsqMessageOutcome
{
    /// <summary>Not answered (yet): nsqd redelivers it after msg_timeout if it stays so.</summary>
    None,

    /// <summary>FIN.</summary>
    Finished,

    /// <summary>REQ (or, on its last attempt with a dead-letter topic, parked there).</summary>
    Requeued,
}

/// <summary>
/// One delivered message: <c>[i64 timestamp ns][u16 attempts][16-byte id][body]</c>. Answer it once with
/// <see cref="FinishAsync"/> or <see cref="RequeueAsync"/> (done for you unless auto response is off), and
/// <see cref="TouchAsync"/> to extend its timeout while working on it.
/// </summary>
public sealed class NsqMessage
{
    internal const int HeaderSize = 26;
    private readonly byte[] _frame;
    private readonly INsqMessageResponder _responder;
    private readonly int _bodyStart = HeaderSize;
    private string? _id;
    private int _outcome;

    /// <param name="frame">The frame's data.</param>
    /// <param name="nsqdAddress">Where it came from.</param>
    /// <param name="responder">Who answers it.</param>
    /// <param name="readTraceEnvelope">Whether a trace-context envelope in front of the body is read and skipped.</param>
    internal NsqMessage(byte[] frame, string nsqdAddress, INsqMessageResponder responder, bool readTraceEnvelope = false)
    {
        if (frame.Length < HeaderSize)
        {
            throw new IOException($"nsqd {nsqdAddress} sent a message frame of {frame.Length} bytes");
        }

        _frame = frame;
        _responder = responder;
        NsqdAddress = nsqdAddress;
        if (readTraceEnvelope && TraceEnvelope.TryRead(frame.AsSpan(HeaderSize), out var context, out var headerLength))
        {
            TraceContext = context;
            _bodyStart = HeaderSize + headerLength;
        }
    }

    /// <summary>The 16 ASCII hex characters nsqd gave the message.</summary>
    public string Id => _id ??= Encoding.ASCII.GetString(IdBytes.Span);

    public ReadOnlyMemory<byte> IdBytes => _frame.AsMemory(10, 16);

    /// <summary>Deliveries so far, this one included (1 on the first delivery).</summary>
    public int Attempts => BinaryPrimitives.ReadUInt16BigEndian(_frame.AsSpan(8));

    /// <summary>When nsqd accepted the message, in Unix nanoseconds.</summary>
    public long TimestampNanoseconds => BinaryPrimitives.ReadInt64BigEndian(_frame);

    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampNanoseconds / 1_000_000);

    /// <summary>The body (after the trace-context envelope, when the consumer reads envelopes and there was one).</summary>
    public ReadOnlyMemory<byte> Body => _frame.AsMemory(_bodyStart);

    /// <summary>The publisher's trace context from the body's envelope (default when none): the parent of the consumer's
    /// process span, and what a stream reader parents its own work on.</summary>
    public ActivityContext TraceContext { get; }

    /// <summary>The nsqd (<c>host:port</c>) the message came from.</summary>
    public string NsqdAddress { get; }

    /// <summary>True once FIN or REQ was sent for it.</summary>
    public bool HasResponded => Outcome != NsqMessageOutcome.None;

    /// <summary>The first answer given: FIN, REQ, or none yet.</summary>
    public NsqMessageOutcome Outcome => (NsqMessageOutcome)Volatile.Read(ref _outcome);

    /// <summary>True after <see cref="DisableAutoResponse"/>: the handler's return or exception sends nothing.</summary>
    public bool IsAutoResponseDisabled { get; private set; }

    public void DisableAutoResponse() => IsAutoResponseDisabled = true;

    /// <summary>FIN: the message is done. A second answer is ignored.</summary>
    public ValueTask FinishAsync(CancellationToken cancellationToken = default) =>
        TryRespond(NsqMessageOutcome.Finished) ? _responder.FinishAsync(this, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>
    /// REQ: deliver again after <paramref name="delay"/> (null: the consumer's delay for this attempt count).
    /// With <paramref name="backoff"/> the failure also counts toward the consumer backoff.
    /// </summary>
    public ValueTask RequeueAsync(TimeSpan? delay = null, bool backoff = true, CancellationToken cancellationToken = default) =>
        TryRespond(NsqMessageOutcome.Requeued) ? _responder.RequeueAsync(this, delay, backoff, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>TOUCH: reset the message's timeout on nsqd.</summary>
    public ValueTask TouchAsync(CancellationToken cancellationToken = default) =>
        HasResponded ? ValueTask.CompletedTask : _responder.TouchAsync(this, cancellationToken);

    private bool TryRespond(NsqMessageOutcome outcome) => Interlocked.CompareExchange(ref _outcome, (int)outcome, 0) == 0;
}
