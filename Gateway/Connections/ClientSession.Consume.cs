using System.Text;
using OrleansNsq.Consumers;
using OrleansNsq.Messages;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// SUB, RDY, FIN, REQ, TOUCH, CLS. RDY is a cap on in-flight messages, never a credit spent per message: the
/// channel's pump delivers while <c>in_flight &lt; RDY</c>, and FIN/REQ/timeouts free a slot. The pump keeps the
/// in-flight and message counts (<see cref="HeldLeases"/>); this session is one of its holders.
/// </summary>
internal sealed partial class ClientSession : ILeaseHolder
{
    // Set by SUB; kept after the session leaves so /stats still shows its counts.
    private HeldLeases? _leases;
    private string? _subTopic;
    private string? _subChannel;

    private long _readyCount;
    internal long FinishCount;
    internal long RequeueCount;

    internal int MsgTimeoutMs { get; private set; }

    /// <summary>RDY; none after CLS.</summary>
    long ILeaseHolder.ReadyCount => _state == ConnectionState.Subscribed ? Volatile.Read(ref _readyCount) : 0;

    int ILeaseHolder.MsgTimeoutMs => MsgTimeoutMs;

    void ILeaseHolder.OnChannelDeleted() => Abort("channel deleted");

    /// <summary>The channel refused a FIN/REQ/TOUCH this session let through (the message's lease had ended there: a
    /// failover, or a timeout the pump had not seen yet). nsqd would have answered it at once; the error frame goes out
    /// now, between whatever else is written, and the counts it added are taken back.</summary>
    void ILeaseHolder.OnSettlementRefused(long id, SettlementKind kind)
    {
        if (kind == SettlementKind.Finish) Interlocked.Decrement(ref FinishCount);
        else if (kind == SettlementKind.Requeue) Interlocked.Decrement(ref RequeueCount);
        var error = NsqErrors.SettleRefused(kind, id);
        ConnectionLog.ClientError(_logger, RemoteAddress, error.Code);
        _ = WriteAndFlushAsync(error.Frame).AsTask();
    }

    private async ValueTask<bool> SubAsync(V2Command command)
    {
        if (_heartbeatInterval is null)
        {
            WriteError(NsqError.CannotSubWithHeartbeatsDisabled);
            return false;
        }
        var topic = Encoding.ASCII.GetString(command.Topic);
        var channel = Encoding.ASCII.GetString(command.Channel);
        if (await CheckAuthAsync(CommandKind.Sub, topic, channel) is { } refused)
        {
            WriteError(refused);
            return false;
        }
        if (_options.MaxChannelConsumers > 0 && _subscriptions.ConsumerCount(topic, channel) >= _options.MaxChannelConsumers)
        {
            WriteError(NsqError.SubFailedConsumerLimit(topic, channel, _options.MaxChannelConsumers));
            return false;
        }
        _subscriptions.BeginJoin(topic, channel);
        try
        {
            // An ephemeral channel's last consumer may be deleting it right now: create after that delete, not before.
            using var turn = NsqNames.IsEphemeral(channel) ? await _subscriptions.EphemeralTurnAsync(topic, channel) : null;
            await _grains.Topic(topic).CreateChannelAsync(channel);
        }
        catch (Exception ex)
        {
            _subscriptions.AbandonJoin(topic, channel);
            ConnectionLog.SubFailed(_logger, topic, channel, ex);
            WriteError(NsqError.SubFailedExiting);
            return false;
        }
        _subTopic = topic;
        _subChannel = channel;
        _state = ConnectionState.Subscribed;
        _leases = _subscriptions.Join(topic, channel, this);
        WriteResponse(FrameWriter.OkFrame);
        return true;
    }

    private bool Rdy(in V2Command command)
    {
        if (_state != ConnectionState.Subscribed) return true; // after CLS nsqd ignores RDY silently
        Volatile.Write(ref _readyCount, command.Number);
        _leases!.OnCreditChanged();
        return true;
    }

    private bool Fin(in V2Command command)
    {
        var result = _leases!.Fin(command.MessageId);
        if (result == SettleResult.Ok)
        {
            Interlocked.Increment(ref FinishCount);
            return true;
        }
        WriteError(NsqErrors.SettleFailed(CommandKind.Fin, command.RawId, result));
        return true;
    }

    private bool Req(in V2Command command)
    {
        // nsqd clamps REQ beyond --max-req-timeout instead of refusing it.
        var delay = (int)Math.Min(command.Number, (long)_options.MaxReqTimeout.TotalMilliseconds);
        var result = _leases!.Req(command.MessageId, delay);
        if (result == SettleResult.Ok)
        {
            Interlocked.Increment(ref RequeueCount);
            return true;
        }
        WriteError(NsqErrors.SettleFailed(CommandKind.Req, command.RawId, result));
        return true;
    }

    private bool Touch(in V2Command command)
    {
        var result = _leases!.Touch(command.MessageId);
        if (result != SettleResult.Ok)
            WriteError(NsqErrors.SettleFailed(CommandKind.Touch, command.RawId, result));
        return true;
    }

    /// <summary>CLS: no more deliveries (RDY 0); the client closes once its in-flight messages are done.</summary>
    private bool Cls()
    {
        _state = ConnectionState.Closing;
        _leases?.OnCreditChanged();
        WriteResponse(FrameWriter.CloseWaitFrame);
        return true;
    }
}
