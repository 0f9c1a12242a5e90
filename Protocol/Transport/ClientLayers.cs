using System.Net.Security;
using System.Text.Json;

namespace OrleansNsq.Protocol.Transport;

/// <summary>
/// What an IDENTIFY answer with feature negotiation grants a client: the layers to put on the connection, whether AUTH
/// must follow, and the largest RDY nsqd takes.
/// </summary>
/// <param name="Tls">TLS follows (<c>tls_v1</c>).</param>
/// <param name="Snappy">snappy follows.</param>
/// <param name="Deflate">deflate follows.</param>
/// <param name="DeflateLevel">The level nsqd writes deflate at; 0 when the answer did not say.</param>
/// <param name="AuthRequired">AUTH must come before anything else (<c>auth_required</c>).</param>
/// <param name="MaxRdyCount">The largest RDY nsqd takes.</param>
/// <param name="MsgTimeoutMs">The connection's msg_timeout in ms; 0 when the answer did not say.</param>
public readonly record struct IdentifyGrant(bool Tls, bool Snappy, bool Deflate, int DeflateLevel, bool AuthRequired, int MaxRdyCount,
    long MsgTimeoutMs)
{
    /// <summary>nsqd's own <c>--max-rdy-count</c> default, for a server that answered a plain <c>OK</c>.</summary>
    public const int DefaultMaxRdyCount = 2500;

    /// <summary>The answer's JSON (nsqd's identify response); a plain <c>OK</c> grants nothing.</summary>
    public static IdentifyGrant Parse(ReadOnlySpan<byte> answer)
    {
        if (answer.IsEmpty || answer[0] != (byte)'{') return new(false, false, false, 0, false, DefaultMaxRdyCount, 0);
        var reader = new Utf8JsonReader(answer);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        return new(Flag(root, "tls_v1"), Flag(root, "snappy"), Flag(root, "deflate"),
            Number(root, "deflate_level", 0), Flag(root, "auth_required"), Number(root, "max_rdy_count", DefaultMaxRdyCount),
            root.TryGetProperty("msg_timeout", out var timeout) && timeout.TryGetInt64(out var ms) && ms > 0 ? ms : 0);
    }

    private static bool Flag(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static int Number(JsonElement root, string name, int otherwise) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) && number > 0 ? number : otherwise;
}

/// <summary>
/// The client side of the layers NSQ negotiates in IDENTIFY, in nsqd's order: TLS first (the client's handshake on the
/// same connection), then snappy or deflate over what is there; each is confirmed by an <c>OK</c> that arrives through
/// it. Writes go to <see cref="Writing"/> and must be flushed (a compressed layer sends on flush); reads come from
/// <see cref="Reading"/>. Reading must have been exact up to here: bytes of the new layer read into a plain buffer
/// would be lost to it.
/// </summary>
public sealed class ClientLayers : IAsyncDisposable, IDisposable
{
    private readonly Stream _connection;
    private readonly SslStream? _tls;
    private readonly CompressionLayer? _compression;

    private ClientLayers(Stream connection, Stream reading, Stream writing, SslStream? tls, CompressionLayer? compression)
    {
        _connection = connection;
        Reading = reading;
        Writing = writing;
        _tls = tls;
        _compression = compression;
    }

    public Stream Reading { get; }

    public Stream Writing { get; }

    /// <summary>The TLS session, when TLS was granted.</summary>
    public SslStream? Tls => _tls;

    /// <summary>Puts the granted layers on <paramref name="connection"/>.</summary>
    /// <param name="connection">The plain connection, right after the IDENTIFY answer was read.</param>
    /// <param name="grant">The IDENTIFY answer.</param>
    /// <param name="tls">The client's TLS options; null when the client did not ask for TLS. Used as a copy whose target
    /// host is <paramref name="host"/> unless the options name one.</param>
    /// <param name="host">The nsqd host the connection was made to.</param>
    /// <param name="deflateLevel">The level the client compresses at (go-nsq's own, whatever level nsqd writes at).</param>
    /// <param name="expectOk">Reads one response from the stream it is given and fails unless it is <c>OK</c>.</param>
    /// <param name="cancellationToken">Ends the handshake (the connection is then unusable).</param>
    /// <exception cref="IOException">TLS was asked for and not granted (the server has no certificate).</exception>
    public static async Task<ClientLayers> NegotiateAsync(Stream connection, IdentifyGrant grant, SslClientAuthenticationOptions? tls,
        string host, int deflateLevel, Func<Stream, CancellationToken, Task> expectOk, CancellationToken cancellationToken)
    {
        if (tls is not null && !grant.Tls) throw new IOException("nsqd did not grant TLS (it has no certificate)");
        SslStream? session = null;
        CompressionLayer? compression = null;
        try
        {
            Stream below = connection;
            if (grant.Tls)
            {
                session = new SslStream(connection, leaveInnerStreamOpen: true);
                await session.AuthenticateAsClientAsync(ForHost(tls ?? new SslClientAuthenticationOptions(), host), cancellationToken)
                    .ConfigureAwait(false);
                await expectOk(session, cancellationToken).ConfigureAwait(false);
                below = session;
            }

            if (!grant.Snappy && !grant.Deflate) return new ClientLayers(connection, below, below, session, null);
            compression = grant.Snappy
                ? CompressionLayer.Snappy(below)
                : CompressionLayer.Deflate(below, deflateLevel);
            await expectOk(compression.Reading, cancellationToken).ConfigureAwait(false);
            return new ClientLayers(connection, compression.Reading, compression.Writing, session, compression);
        }
        catch
        {
            if (compression is not null) await compression.DisposeAsync().ConfigureAwait(false);
            else if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The caller's TLS options for one connection: a copy, its target host the nsqd host unless set.</summary>
    private static SslClientAuthenticationOptions ForHost(SslClientAuthenticationOptions options, string host) => new()
    {
        TargetHost = options.TargetHost ?? host,
        ClientCertificates = options.ClientCertificates,
        ClientCertificateContext = options.ClientCertificateContext,
        LocalCertificateSelectionCallback = options.LocalCertificateSelectionCallback,
        RemoteCertificateValidationCallback = options.RemoteCertificateValidationCallback,
        EnabledSslProtocols = options.EnabledSslProtocols,
        CertificateRevocationCheckMode = options.CertificateRevocationCheckMode,
        CertificateChainPolicy = options.CertificateChainPolicy,
        EncryptionPolicy = options.EncryptionPolicy,
        AllowRenegotiation = options.AllowRenegotiation,
    };

    /// <summary>Ends the layers and the connection under them; on a broken connection nothing throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_compression is not null)
        {
            await _compression.DisposeAsync().ConfigureAwait(false); // and the layer below it
        }
        else if (_tls is not null)
        {
            try
            {
                await _tls.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // the peer is gone
            }
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>As <see cref="DisposeAsync"/>, for a caller that cannot await.</summary>
    public void Dispose()
    {
        try
        {
            if (_compression is not null) _compression.Dispose(); // and the layer below it
            else _tls?.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the peer is gone
        }
        _connection.Dispose();
    }
}
