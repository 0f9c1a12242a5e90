using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using OrleansNsq.Protocol;
using OrleansNsq.Protocol.Transport;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// The TLS upgrade after IDENTIFY (nsqd's client_v2.go UpgradeTLS): the IDENTIFY answer has gone out in clear; the
/// server side of the handshake runs on the same connection (at most 5 s, as nsqd's deadline), then <c>OK</c> is sent
/// over the new layer and every later frame, both ways, goes through it. The write lock is held throughout, so a
/// heartbeat cannot slip between the layers.
/// </summary>
internal sealed partial class ClientSession
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    private bool _pendingUpgrade;
    private SslStream? _tlsStream;
    private Tls.TlsConnectionState? _tlsState;

    /// <summary>The connection runs over TLS.</summary>
    internal bool IsTls => _tlsStream is not null;

    /// <summary>Upgrades to TLS; false (after nsqd's fatal E_IDENTIFY_FAILED, best effort, in clear) when the handshake
    /// fails.</summary>
    private async ValueTask<bool> UpgradeAsync()
    {
        _pendingUpgrade = false;
        await _writeLock.WaitAsync();
        try
        {
            if (_closed) return false;
            var tls = new SslStream(new DuplexPipeStream(_input, _output), leaveInnerStreamOpen: false);
            try
            {
                using var deadline = new CancellationTokenSource(HandshakeTimeout, _time);
                await tls.AuthenticateAsServerAsync(_tls.AuthenticationOptions(), deadline.Token);
            }
            catch (Exception e)
            {
                ConnectionLog.TlsHandshakeFailed(_logger, RemoteAddress, e);
                var error = NsqError.IdentifyFailed(e.GetBaseException().Message);
                ConnectionLog.ClientError(_logger, RemoteAddress, error.Code);
                try
                {
                    _output.Write(error.Frame.Span);
                    await _output.FlushAsync();
                }
                catch (Exception)
                {
                    // the peer is gone or speaks TLS already: the close says the rest
                }
                await tls.DisposeAsync();
                return false;
            }
            _tlsStream = tls;
            _tlsState = Tls.TlsConnectionState.Of(tls);
            _input = PipeReader.Create(tls);
            _output = PipeWriter.Create(tls);
            _parser.TlsRequired = false;
            _output.Write(FrameWriter.OkFrame);
            await _output.FlushAsync();
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
