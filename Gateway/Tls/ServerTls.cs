using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Tls;

/// <summary>
/// The node's TLS, from nsqd's flags: the certificate that TCP connections upgrade to after IDENTIFY (<c>tls_v1</c>) and
/// that HTTPS serves, the client-certificate policy, the lowest version and whether TLS is required. Without
/// --tls-cert and --tls-key it is off: IDENTIFY answers <c>tls_v1: false</c> and there is no HTTPS listener.
/// </summary>
public sealed class ServerTls
{
    private readonly SslStreamCertificateContext? _certificate;
    private readonly X509Certificate2Collection _clientRoots = [];
    private readonly ClientCertificates _clientPolicy;
    private readonly SslProtocols _protocols;

    private enum ClientCertificates { None, RequireAny, RequireVerified }

    private ServerTls(SslStreamCertificateContext? certificate, X509Certificate2Collection clientRoots, ClientCertificates clientPolicy,
        SslProtocols protocols, TlsRequirement required)
    {
        _certificate = certificate;
        _clientRoots = clientRoots;
        _clientPolicy = clientPolicy;
        _protocols = protocols;
        Required = required;
    }

    /// <summary>A certificate is configured: TLS is offered.</summary>
    public bool Enabled => _certificate is not null;

    public TlsRequirement Required { get; }

    /// <summary>The server certificate (HTTPS uses it too); null when TLS is off.</summary>
    public X509Certificate2? Certificate => _certificate?.TargetCertificate;

    /// <summary>Reads nsqd's TLS flags; throws <see cref="TlsConfigurationException"/> with nsqd's message for a
    /// configuration nsqd refuses to start with.</summary>
    public static ServerTls From(NsqdOptions options)
    {
        var required = ParseRequired(options.TlsRequired)
            ?? throw new TlsConfigurationException($"invalid --tls-required \"{options.TlsRequired}\": true, false or tcp-https");
        var protocols = ParseMinVersion(options.TlsMinVersion)
            ?? throw new TlsConfigurationException($"unknown tlsVersionOption \"{options.TlsMinVersion}\"");
        var policy = options.TlsClientAuthPolicy switch
        {
            "require" => ClientCertificates.RequireAny,
            "require-verify" => ClientCertificates.RequireVerified,
            _ => ClientCertificates.None,
        };
        // nsqd: a client auth policy implies TLS is required.
        if (options.TlsClientAuthPolicy.Length > 0 && required == TlsRequirement.NotRequired) required = TlsRequirement.Required;
        if (options.TlsCert.Length == 0 && options.TlsKey.Length == 0)
        {
            if (required != TlsRequirement.NotRequired)
                throw new TlsConfigurationException("cannot require TLS client connections without TLS key and cert");
            return new ServerTls(null, [], policy, protocols, required);
        }

        SslStreamCertificateContext certificate;
        X509Certificate2Collection roots = [];
        try
        {
            certificate = LoadCertificate(options.TlsCert, options.TlsKey);
            if (options.TlsRootCaFile.Length > 0)
            {
                roots.ImportFromPemFile(options.TlsRootCaFile);
                if (roots.Count == 0) throw new TlsConfigurationException("failed to append certificate to pool");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new TlsConfigurationException($"failed to build TLS config - {e.Message}");
        }
        return new ServerTls(certificate, roots, policy, protocols, required);
    }

    /// <summary>The leaf (the certificate of the key) and the chain after it, as nsqd's tls.LoadX509KeyPair takes them.</summary>
    private static SslStreamCertificateContext LoadCertificate(string certPath, string keyPath)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certPath);
        var chain = new X509Certificate2Collection();
        foreach (var certificate in all)
            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)) chain.Add(certificate);
        return SslStreamCertificateContext.Create(leaf, chain, offline: true);
    }

    /// <summary>For one handshake (TCP upgrade or HTTPS connection).</summary>
    public SslServerAuthenticationOptions AuthenticationOptions() => new()
    {
        ServerCertificateContext = _certificate ?? throw new InvalidOperationException("TLS is not configured"),
        ClientCertificateRequired = _clientPolicy != ClientCertificates.None,
        EnabledSslProtocols = _protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = ValidateClient,
    };

    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        switch (_clientPolicy)
        {
            case ClientCertificates.None:
                return true;
            case ClientCertificates.RequireAny:
                return certificate is not null;
            default:
                if (certificate is null) return false;
                if (_clientRoots.Count == 0) return errors == SslPolicyErrors.None;
                using (var custom = new X509Chain())
                {
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.AddRange(_clientRoots);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (chain is not null) custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                    return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                }
        }
    }

    /// <summary>nsqd's tlsRequiredOption: "tcp-https", else a Go boolean.</summary>
    public static TlsRequirement? ParseRequired(string text) => text.ToLowerInvariant() switch
    {
        "tcp-https" => TlsRequirement.ExceptHttp,
        "1" or "t" or "true" => TlsRequirement.Required,
        "0" or "f" or "false" or "" => TlsRequirement.NotRequired,
        _ => null,
    };

    /// <summary>nsqd's tlsMinVersionOption. TLS 1.0 and 1.1 are left to the operating system's TLS library (None), which
    /// enables what it still allows, usually 1.2 and 1.3 only.</summary>
    public static SslProtocols? ParseMinVersion(string text) => text.ToLowerInvariant() switch
    {
        "" or "tls1.0" or "tls1.1" => SslProtocols.None,
        "tls1.2" => SslProtocols.Tls12 | SslProtocols.Tls13,
        "tls1.3" => SslProtocols.Tls13,
        _ => null,
    };
}

/// <summary>A TLS configuration the node cannot start with; the message is nsqd's.</summary>
public sealed class TlsConfigurationException(string message) : Exception(message);
