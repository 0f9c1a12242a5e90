using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansNsq.Tests.Tls;

/// <summary>
/// A certificate authority made for one test run, never stored anywhere else: its certificate, a server certificate
/// for 127.0.0.1/localhost and a client certificate it signed, each also written as PEM files into a temporary folder
/// (the files nsqd's --tls-cert, --tls-key and --tls-root-ca-file take). Disposing deletes the folder.
/// </summary>
public sealed class ThrowAwayCa : IDisposable
{
    private ThrowAwayCa(string folder, X509Certificate2 ca, X509Certificate2 server, X509Certificate2 client)
    {
        Folder = folder;
        Certificate = ca;
        Server = server;
        Client = client;
    }

    public string Folder { get; }
    public X509Certificate2 Certificate { get; }
    /// <summary>The server certificate with its key.</summary>
    public X509Certificate2 Server { get; }
    /// <summary>A client certificate with its key, signed by this CA.</summary>
    public X509Certificate2 Client { get; }

    public string CaFile => Path.Combine(Folder, "ca.pem");
    public string ServerCertFile => Path.Combine(Folder, "server.pem");
    public string ServerKeyFile => Path.Combine(Folder, "server.key");
    public string ClientCertFile => Path.Combine(Folder, "client.pem");
    public string ClientKeyFile => Path.Combine(Folder, "client.key");

    public static ThrowAwayCa Create()
    {
        var folder = Directory.CreateTempSubdirectory("orleansnsq-tls-").FullName;
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=OrleansNsq test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        var server = Issue(ca, caKey, "CN=127.0.0.1", now, serverAuth: true);
        var client = Issue(ca, caKey, "CN=orleansnsq-test-client", now, serverAuth: false);
        File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
        Write(folder, "server", server);
        Write(folder, "client", client);
        return new ThrowAwayCa(folder, ca, server, client);
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string subject, DateTimeOffset now, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), now.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static void Write(string folder, string name, X509Certificate2 certificate)
    {
        File.WriteAllText(Path.Combine(folder, name + ".pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, name + ".key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> (and nothing else is trusted).</summary>
    public static bool ChainsTo(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
