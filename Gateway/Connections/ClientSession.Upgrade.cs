using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using OrleansNsq.Gateway.Identify;
using OrleansNsq.Protocol;
using OrleansNsq.Protocol.Transport;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// The upgrades after IDENTIFY, as nsqd's client_v2.go does them: the IDENTIFY answer has gone out on the connection as
/// it was; then TLS (the server side of the handshake on the same connection, at most 5 s as nsqd's deadline) and
/// <c>OK</c> over it; then snappy or deflate over whatever is below, and <c>OK</c> through the compressor. Every later
/// frame, both ways, goes through the new layers. The write lock is held throughout, so a heartbeat cannot slip
/// between the layers.
/// </summary>
internal sealed partial class ClientSession
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    private enum Compression : byte { None, Snappy, Deflate }

    private IdentifyUpgrades _pendingUpgrades;
    private int _deflateLevel;
    private SslStream? _tlsStream;
    private Tls.TlsConnectionState? _tlsState;
    private CompressionLayer? _compression;
    private Compression _compressedWith;

    /// <summary>The connection runs over TLS.</summary>
    internal bool IsTls => _tlsStream is not null;

    /// <summary>Runs the upgrades IDENTIFY granted; false (after nsqd's fatal E_IDENTIFY_FAILED, best effort) when one
    /// fails.</summary>
    private async ValueTask<bool> UpgradeAsync()
    {
        var upgrades = _pendingUpgrades;
        _pendingUpgrades = default;
        await _writeLock.WaitAsync();
        try
        {
            if (_closed) return false;
            if (upgrades.TlsV1 && !await UpgradeToTlsAsync()) return false;
            if (upgrades.Snappy) await CompressAsync(Compression.Snappy);
            else if (upgrades.Deflate) await CompressAsync(Compression.Deflate);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<bool> UpgradeToTlsAsync()
    {
        var tls = new SslStream(DuplexStream.Over(_input, _output), leaveInnerStreamOpen: false);
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
        _parser.TlsRequired = false;
        await SwitchLayerAsync(tls, tls);
        return true;
    }

    private async ValueTask CompressAsync(Compression compression)
    {
        Stream below = _tlsStream is not null ? _tlsStream : DuplexStream.Over(_input, _output);
        _compression = compression == Compression.Snappy
            ? CompressionLayer.Snappy(below)
            : CompressionLayer.Deflate(below, _deflateLevel);
        _compressedWith = compression;
        await SwitchLayerAsync(_compression.Reading, _compression.Writing);
    }

    /// <summary>Reads and writes through the new layer from now on, and says so with <c>OK</c> through it. Nothing was
    /// read from the old layer since the IDENTIFY: the client sends through a layer only after its OK.</summary>
    private async ValueTask SwitchLayerAsync(Stream reading, Stream writing)
    {
        _input = PipeReader.Create(reading, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(writing, new StreamPipeWriterOptions(leaveOpen: true));
        _output.Write(FrameWriter.OkFrame);
        await _output.FlushAsync();
    }

    /// <summary>Ends the layers under the pipes (the compressor's last bytes, TLS's close), after the pipes.</summary>
    private async ValueTask DisposeLayersAsync()
    {
        try
        {
            if (_compression is not null) await _compression.DisposeAsync();
            else if (_tlsStream is not null) await _tlsStream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the peer is gone
        }
    }
}
