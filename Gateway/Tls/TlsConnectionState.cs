using System.Net.Security;
using System.Security.Authentication;

namespace OrleansNsq.Gateway.Tls;

/// <summary>A TLS connection as /stats shows it (nsqd's prettyConnectionState): the version as "TLS1.2", the cipher
/// suite by the name nsqd knows it by, or "Unknown &lt;number&gt;" (nsqd's table predates TLS 1.3's suites).</summary>
public readonly record struct TlsConnectionState(string Version, string CipherSuite, string NegotiatedProtocol)
{
    private static readonly HashSet<TlsCipherSuite> NsqdNamed =
    [
        TlsCipherSuite.TLS_RSA_WITH_RC4_128_SHA,
        TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ];

    public static TlsConnectionState Of(SslStream tls) => new(
        tls.SslProtocol switch
        {
#pragma warning disable SYSLIB0039 // naming old versions, not enabling them
            SslProtocols.Tls => "TLS1.0",
            SslProtocols.Tls11 => "TLS1.1",
#pragma warning restore SYSLIB0039
            SslProtocols.Tls12 => "TLS1.2",
            SslProtocols.Tls13 => "TLS1.3",
            var other => $"Unknown {(int)other}",
        },
        NsqdNamed.Contains(tls.NegotiatedCipherSuite) ? tls.NegotiatedCipherSuite.ToString() : $"Unknown {(int)tls.NegotiatedCipherSuite}",
        tls.NegotiatedApplicationProtocol.ToString());
}
