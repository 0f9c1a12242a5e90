using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansNsq.Lookupd;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// One nsqd connected to the lookupd TCP port (nsqlookupd's ClientV1 and IOLoop): the magic, then one command at a
/// time, each answered before the next is read from the buffer. Every error is fatal (the reply, then close). When
/// the connection ends, the peer leaves all its registrations. The session keeps its own copy of what it registered,
/// so that a reactivated registration grain gets it back on the next PING.
/// </summary>
internal sealed class LookupPeerSession(
    ConnectionContext connection,
    string peerId,
    IExternalProducerDirectoryGrain registrations,
    LookupdIdentity identity,
    ILogger logger)
{
    private readonly PipeReader _input = connection.Transport.Input;
    private readonly PipeWriter _output = connection.Transport.Output;
    private readonly string _remoteAddress = connection.RemoteEndPoint?.ToString() ?? "";
    private readonly List<ExternalRegistrationKey> _registered = [];
    private ExternalPeer? _peer;

    public async Task RunAsync()
    {
        try
        {
            if (!await ReadMagicAsync()) return;
            await ReadCommandsAsync();
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LookupdLog.Failed(logger, _remoteAddress, ex);
        }
        finally
        {
            await LeaveAsync();
        }
    }

    /// <summary>Exactly 4 bytes; anything but <c>␠␠V1</c> gets the bare E_BAD_PROTOCOL and a close. A peer that closes
    /// before sending 4 bytes gets nothing.</summary>
    private async Task<bool> ReadMagicAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            if (buffer.Length >= 4)
            {
                var magic = buffer.Slice(0, 4);
                var ok = LookupProtocolV1.IsMagicV1(magic);
                _input.AdvanceTo(magic.End);
                if (ok) return true;
                LookupdLog.BadMagic(logger, _remoteAddress);
                LookupProtocolV1.WriteResponse(_output, LookupError.BadProtocol);
                await _output.FlushAsync();
                return false;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) return false;
        }
    }

    private async Task ReadCommandsAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var keepOpen = true;
            try
            {
                while (keepOpen)
                {
                    var status = LookupProtocolV1.TryParse(buffer.Slice(consumed), _peer is not null, result.IsCompleted,
                        out var end, out var command);
                    if (status == LookupParseStatus.NeedMoreData) break;
                    if (status != LookupParseStatus.Command)
                    {
                        if (status == LookupParseStatus.LineTooLong) LookupdLog.LineTooLong(logger, _remoteAddress);
                        keepOpen = false;
                        break;
                    }
                    consumed = end;
                    keepOpen = await ExecuteAsync(command!);
                }
                await _output.FlushAsync();
            }
            finally
            {
                _input.AdvanceTo(consumed, buffer.End);
            }
            if (!keepOpen || result.IsCompleted || result.IsCanceled) return;
        }
    }

    /// <summary>Exec: one handler per verb. False: an error was written and the connection closes.</summary>
    private async ValueTask<bool> ExecuteAsync(LookupCommand command)
    {
        if (command.Error is { } error)
        {
            LookupdLog.ClientError(logger, _remoteAddress, error.ToString());
            LookupProtocolV1.WriteResponse(_output, error.ToBytes());
            return false;
        }
        switch (command.Kind)
        {
            case LookupCommandKind.Identify:
                return await IDENTIFY(command.Body!);
            case LookupCommandKind.Register:
                await REGISTER(command.Topic!, command.Channel);
                return true;
            case LookupCommandKind.Unregister:
                await UNREGISTER(command.Topic!, command.Channel);
                return true;
            default:
                await PING();
                return true;
        }
    }

    private async ValueTask<bool> IDENTIFY(byte[] body)
    {
        var identify = LookupIdentify.Decode(body, out var error);
        if (identify is null)
        {
            LookupdLog.ClientError(logger, _remoteAddress, error!.ToString());
            LookupProtocolV1.WriteResponse(_output, error.ToBytes());
            return false;
        }
        var peer = new ExternalPeer
        {
            Id = peerId,
            RemoteAddress = _remoteAddress,
            Hostname = identify.Hostname ?? "",
            BroadcastAddress = identify.BroadcastAddress!,
            TcpPort = identify.TcpPort!.Value,
            HttpPort = identify.HttpPort!.Value,
            Version = identify.Version!,
        };
        await registrations.IdentifyAsync(peer);
        _peer = peer;
        LookupdLog.Identified(logger, _remoteAddress, peer.BroadcastAddress, peer.TcpPort, peer.HttpPort, peer.Version);
        LookupProtocolV1.WriteResponse(_output, identity.Reply());
        return true;
    }

    private async ValueTask REGISTER(string topic, string? channel)
    {
        await registrations.RegisterAsync(peerId, topic, channel);
        if (channel is not null) Remember(topic, channel);
        Remember(topic, null);
        WriteOk();
    }

    /// <summary>The topic form also forgets the peer's channels of the topic, as the grain does.</summary>
    private async ValueTask UNREGISTER(string topic, string? channel)
    {
        await registrations.UnregisterAsync(peerId, topic, channel);
        _registered.RemoveAll(k => k.Topic == topic && (channel is null || k.Channel == channel));
        WriteOk();
    }

    /// <summary>Refreshes last_update (only once identified, as nsqlookupd); a registration grain that no longer knows
    /// the peer was reactivated, and gets this connection's registrations back.</summary>
    private async ValueTask PING()
    {
        if (_peer is not null && !await registrations.PingAsync(peerId))
        {
            LookupdLog.Restored(logger, _remoteAddress, _registered.Count);
            await registrations.RestoreAsync(_peer, new Immutable<ExternalRegistrationKey[]>([.. _registered]));
        }
        WriteOk();
    }

    private void Remember(string topic, string? channel)
    {
        var key = new ExternalRegistrationKey(topic, channel);
        if (!_registered.Contains(key)) _registered.Add(key);
    }

    private void WriteOk() => LookupProtocolV1.WriteResponse(_output, "OK"u8);

    private async Task LeaveAsync()
    {
        if (_peer is null) return;
        try
        {
            await registrations.DisconnectAsync(peerId);
        }
        catch (Exception ex)
        {
            LookupdLog.LeaveFailed(logger, _remoteAddress, ex);
        }
    }
}
