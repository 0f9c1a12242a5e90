using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Protocol;
using OrleansNsq.Gateway.Subscriptions;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// One NSQ V2 TCP connection: the read loop, connection state (nsqd's client_v2.go) and the dispatch of each command
/// to its verb handler (partials by verb family). Every complete command in a read buffer is handled before the buffer
/// is released, so consecutive publishes to one topic become one grain call and every reply goes out in one flush.
/// </summary>
internal sealed partial class ClientSession
{
    private readonly ConnectionContext _connection;
    // The connection's layer: the socket's pipes, or the TLS layer's after an upgrade (ClientSession.Upgrade.cs).
    private PipeReader _input;
    private PipeWriter _output;
    private readonly NsqdOptions _options;
    private readonly ProtocolV2Parser _parser;
    private readonly IGrainFactory _grains;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly Tls.ServerTls _tls;
    private readonly Auth.AuthServers _auth;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private ConnectionState _state = ConnectionState.Init;

    public ClientSession(ConnectionContext connection, NsqdOptions options, IGrainFactory grains,
        SubscriptionRegistry subscriptions, Tls.ServerTls tls, Auth.AuthServers auth, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _input = connection.Transport.Input;
        _output = connection.Transport.Output;
        _options = options;
        _grains = grains;
        _subscriptions = subscriptions;
        _tls = tls;
        _auth = auth;
        _time = time;
        _logger = logger;
        _parser = new ProtocolV2Parser(options.MaxMsgSize, options.MaxBodySize, options.MaxRdyCount,
            (long)options.MaxReqTimeout.TotalMilliseconds)
        {
            TlsRequired = tls.Required != Tls.TlsRequirement.NotRequired,
        };
        ConnectedAt = time.GetUtcNow();
        RemoteAddress = connection.RemoteEndPoint?.ToString() ?? "";
        MsgTimeoutMs = (int)options.MsgTimeout.TotalMilliseconds;
        _heartbeatInterval = options.DefaultHeartbeatInterval;
    }

    public DateTimeOffset ConnectedAt { get; }
    public string RemoteAddress { get; }
    public ConnectionState State => _state;

    public async Task RunAsync()
    {
        StartHeartbeats();
        try
        {
            if (!await ReadMagicAsync()) return;
            await ReadCommandsAsync();
        }
        catch (ConnectionResetException)
        {
        }
        catch (ConnectionAbortedException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            ConnectionLog.Failed(_logger, RemoteAddress, ex);
        }
        finally
        {
            await CloseAsync();
        }
    }

    /// <summary>"  V2", possibly split over reads or sent with the first commands. Anything else: bare E_BAD_PROTOCOL.</summary>
    private async Task<bool> ReadMagicAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync();
            var buffer = result.Buffer;
            switch (ProtocolMagic.Check(buffer, out var consumed))
            {
                case MagicStatus.Ok:
                    _input.AdvanceTo(consumed);
                    return true;
                case MagicStatus.Bad:
                    _input.AdvanceTo(buffer.End);
                    await WriteAndFlushAsync(NsqError.BadProtocol.Frame);
                    return false;
                default:
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted || result.IsCanceled) return false;
                    break;
            }
        }
    }

    // ReadAsync takes no ConnectionClosed token: a client that writes its last FINs and closes (nsqjs' close) must
    // still have them applied, as nsqd executes every command that arrived before EOF. The token fired on the close
    // and cancelled the read with those commands still buffered.
    private async Task ReadCommandsAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync();
            OnBytesReceived();
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var keepOpen = true;
            try
            {
                while (keepOpen)
                {
                    var status = _parser.TryParse(buffer.Slice(consumed), _state, out var end, out var command, out var error);
                    if (status == ParseStatus.NeedMoreData) break;
                    if (status == ParseStatus.CloseSilently)
                    {
                        keepOpen = false;
                        break;
                    }
                    if (status == ParseStatus.Error)
                    {
                        keepOpen = await FlushPublishesAsync() && !error!.IsFatal;
                        WriteError(error!);
                        if (keepOpen) consumed = end;
                        continue;
                    }
                    keepOpen = await HandleAsync(command);
                    consumed = end;
                    // The client sends its next bytes (a TLS handshake) only after IDENTIFY's answer: nothing after
                    // the command belongs to the old layer.
                    if (_pendingUpgrades.Any) break;
                }
                if (keepOpen) keepOpen = await FlushPublishesAsync();
                _leases?.FlushSettlements();
                await FlushResponsesAsync();
            }
            finally
            {
                _input.AdvanceTo(consumed, _pendingUpgrades.Any ? consumed : buffer.End);
            }
            if (keepOpen && _pendingUpgrades.Any) keepOpen = await UpgradeAsync();
            if (!keepOpen) return;
            if (result.IsCompleted || result.IsCanceled)
            {
                await ReportEndOfInputAsync();
                return;
            }
        }
    }

    /// <summary>The client closed mid-command: nsqd reports some cut bodies ("failed to read message body") and
    /// closes silently otherwise.</summary>
    private async Task ReportEndOfInputAsync()
    {
        if (!_input.TryRead(out var rest)) return;
        var error = rest.Buffer.IsEmpty ? null : _parser.ErrorAtEndOfInput(rest.Buffer, _state);
        _input.AdvanceTo(rest.Buffer.End);
        if (error is null) return;
        WriteError(error);
        await FlushResponsesAsync();
    }

    private ValueTask<bool> HandleAsync(in V2Command command)
    {
        switch (command.Kind)
        {
            case CommandKind.Pub:
            case CommandKind.Dpub:
            case CommandKind.Mpub:
                return AddPublishAsync(command);
        }
        // Replies stay in command order: publishes collected so far are answered first.
        if (HasPendingPublishes) return FlushThenHandleAsync(command);
        return HandleOtherAsync(command);
    }

    private async ValueTask<bool> FlushThenHandleAsync(V2Command command)
    {
        if (!await FlushPublishesAsync()) return false;
        return await HandleOtherAsync(command);
    }

    private ValueTask<bool> HandleOtherAsync(in V2Command command) => command.Kind switch
    {
        CommandKind.Nop => new(true),
        CommandKind.Rdy => new(Rdy(command)),
        CommandKind.Fin => new(Fin(command)),
        CommandKind.Req => new(Req(command)),
        CommandKind.Touch => new(Touch(command)),
        CommandKind.Cls => new(Cls()),
        CommandKind.Identify => new(Identify(command)),
        CommandKind.Auth => AuthAsync(command),
        CommandKind.Sub => SubAsync(command),
        _ => new(false),
    };

    /// <summary>Ends the connection from outside the read loop (channel deleted, read deadline passed).</summary>
    public void Abort(string reason)
    {
        ConnectionLog.Aborted(_logger, RemoteAddress, reason);
        _connection.Abort(new ConnectionAbortedException(reason));
    }

    private async Task CloseAsync()
    {
        StopHeartbeats();
        if (_leases is { } leases) _subscriptions.Leave(leases);
        await _writeLock.WaitAsync();
        try
        {
            _closed = true;
            try
            {
                await _output.CompleteAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // an upgraded layer over a connection the peer already broke
            }
            await DisposeLayersAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static partial class ConnectionLog
    {
        [LoggerMessage(1001, LogLevel.Warning, "Connection {Remote} failed")]
        public static partial void Failed(ILogger logger, string remote, Exception ex);

        [LoggerMessage(1002, LogLevel.Debug, "Connection {Remote} aborted: {Reason}")]
        public static partial void Aborted(ILogger logger, string remote, string reason);

        [LoggerMessage(1003, LogLevel.Debug, "Connection {Remote}: {Error}")]
        public static partial void ClientError(ILogger logger, string remote, string error);

        [LoggerMessage(1004, LogLevel.Error, "Publish to topic {Topic} failed")]
        public static partial void PublishFailed(ILogger logger, string topic, Exception ex);

        [LoggerMessage(1005, LogLevel.Error, "SUB {Topic}/{Channel} failed")]
        public static partial void SubFailed(ILogger logger, string topic, string channel, Exception ex);

        [LoggerMessage(1006, LogLevel.Warning, "Connection {Remote}: TLS handshake after IDENTIFY failed")]
        public static partial void TlsHandshakeFailed(ILogger logger, string remote, Exception ex);
    }
}
