using System.Buffers.Binary;
using System.Text;

namespace OrleansNsq.Client;

/// <summary>Who answers for a message: the consumer connection it arrived on.</summary>
internal interface IMessageResponder
{
    ValueTask FinishAsync(NsqMessage message, CancellationToken cancellationToken);

    ValueTask RequeueAsync(NsqMessage message, TimeSpan? delay, bool backoff, CancellationToken cancellationToken);

    ValueTask TouchAsync(NsqMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// One delivered message: <c>[i64 timestamp ns][u16 attempts][16-byte id][body]</c>. Answer it once with
/// <see cref="FinishAsync"/> or <see cref="RequeueAsync"/> (done for you unless auto response is off), and
/// <see cref="TouchAsync"/> to extend its timeout while working on it.
/// </summary>
public sealed class NsqMessage
{
    private const int HeaderSize = 26;
    private readonly byte[] _frame;
    private readonly IMessageResponder _responder;
    private string? _id;
    private int _responded;

    internal NsqMessage(byte[] frame, string nsqdAddress, IMessageResponder responder)
    {
        if (frame.Length < HeaderSize)
        {
            throw new IOException($"nsqd {nsqdAddress} sent a message frame of {frame.Length} bytes");
        }

        _frame = frame;
        _responder = responder;
        NsqdAddress = nsqdAddress;
    }

    /// <summary>The 16 ASCII hex characters nsqd gave the message.</summary>
    public string Id => _id ??= Encoding.ASCII.GetString(IdBytes.Span);

    public ReadOnlyMemory<byte> IdBytes => _frame.AsMemory(10, 16);

    /// <summary>Deliveries so far, this one included (1 on the first delivery).</summary>
    public int Attempts => BinaryPrimitives.ReadUInt16BigEndian(_frame.AsSpan(8));

    /// <summary>When nsqd accepted the message, in Unix nanoseconds.</summary>
    public long TimestampNanoseconds => BinaryPrimitives.ReadInt64BigEndian(_frame);

    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampNanoseconds / 1_000_000);

    public ReadOnlyMemory<byte> Body => _frame.AsMemory(HeaderSize);

    /// <summary>The nsqd (<c>host:port</c>) the message came from.</summary>
    public string NsqdAddress { get; }

    /// <summary>True once FIN or REQ was sent for it.</summary>
    public bool HasResponded => Volatile.Read(ref _responded) != 0;

    /// <summary>True after <see cref="DisableAutoResponse"/>: the handler's return or exception sends nothing.</summary>
    public bool IsAutoResponseDisabled { get; private set; }

    public void DisableAutoResponse() => IsAutoResponseDisabled = true;

    /// <summary>FIN: the message is done. A second answer is ignored.</summary>
    public ValueTask FinishAsync(CancellationToken cancellationToken = default) =>
        TryRespond() ? _responder.FinishAsync(this, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>
    /// REQ: deliver again after <paramref name="delay"/> (null: the consumer's delay for this attempt count).
    /// With <paramref name="backoff"/> the failure also counts toward the consumer backoff.
    /// </summary>
    public ValueTask RequeueAsync(TimeSpan? delay = null, bool backoff = true, CancellationToken cancellationToken = default) =>
        TryRespond() ? _responder.RequeueAsync(this, delay, backoff, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>TOUCH: reset the message's timeout on nsqd.</summary>
    public ValueTask TouchAsync(CancellationToken cancellationToken = default) =>
        HasResponded ? ValueTask.CompletedTask : _responder.TouchAsync(this, cancellationToken);

    private bool TryRespond() => Interlocked.Exchange(ref _responded, 1) == 0;
}
