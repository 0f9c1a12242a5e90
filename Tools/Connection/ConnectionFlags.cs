using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using OrleansNsq.Client;

namespace OrleansNsq.Tools.Connection;

/// <summary>
/// The flags of a utility's connections to nsqd: TLS (<c>--tls</c>, <c>--tls-root-ca-file</c>, <c>--tls-cert</c>,
/// <c>--tls-key</c>, <c>--tls-insecure-skip-verify</c>), compression (<c>--snappy</c>, <c>--deflate</c>,
/// <c>--deflate-level</c>) and <c>--auth-secret</c>, applied to the client's <see cref="NsqConnectionOptions"/>; and, on
/// the utilities where NSQ has them, go-nsq's own form of these and the other client settings, <c>--consumer-opt</c> and
/// <c>--producer-opt</c> (<see cref="GoNsqOptions"/>), applied after the named flags.
/// </summary>
/// <param name="consumerOpt">The utility takes <c>--consumer-opt</c>.</param>
/// <param name="producerOpt">The utility takes <c>--producer-opt</c>.</param>
internal sealed class ConnectionFlags(bool consumerOpt = false, bool producerOpt = false)
{
    private readonly Option<string[]> _consumerOpt = GoOptions("--consumer-opt", "nsq.Consumer");
    private readonly Option<string[]> _producerOpt = GoOptions("--producer-opt", "nsq.Producer");
    private readonly Option<bool> _tls = new("--tls") { Description = "upgrade connections to nsqd to TLS after IDENTIFY" };
    private readonly Option<string> _rootCa = new("--tls-root-ca-file") { Description = "PEM certificates the nsqd certificate must chain to (default: the system's)" };
    private readonly Option<string> _cert = new("--tls-cert") { Description = "client certificate file (PEM), with --tls-key" };
    private readonly Option<string> _key = new("--tls-key") { Description = "client key file (PEM), with --tls-cert" };
    private readonly Option<bool> _insecure = new("--tls-insecure-skip-verify") { Description = "accept any nsqd certificate (tests only)" };
    private readonly Option<bool> _snappy = new("--snappy") { Description = "compress connections with snappy" };
    private readonly Option<bool> _deflate = new("--deflate") { Description = "compress connections with deflate" };
    private readonly Option<int> _deflateLevel = new("--deflate-level") { DefaultValueFactory = _ => 6, Description = "deflate level 1-9 (nsqd caps it at its --max-deflate-level)" };
    private readonly Option<string> _authSecret = new("--auth-secret") { Description = "secret sent with AUTH when nsqd requires it" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _tls, _rootCa, _cert, _key, _insecure, _snappy, _deflate, _deflateLevel, _authSecret })
            command.Options.Add(option);
        if (consumerOpt) command.Options.Add(_consumerOpt);
        if (producerOpt) command.Options.Add(_producerOpt);
    }

    private static Option<string[]> GoOptions(string name, string client) => new(name)
    {
        Description = $"option to passthrough to {client} as <name>[,<value>] (may be given multiple times; go-nsq's Config names: tls_v1, snappy, max_attempts, msg_timeout...)",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    /// <summary>The settings the flags give, or a message when they cannot be used.</summary>
    public (ConnectionSettings Settings, string? Error) Read(ParseResult parse)
    {
        var tls = parse.GetValue(_tls) || parse.GetValue(_rootCa) is { Length: > 0 } || parse.GetValue(_insecure);
        var cert = parse.GetValue(_cert);
        var key = parse.GetValue(_key);
        if (string.IsNullOrEmpty(cert) != string.IsNullOrEmpty(key)) return (ConnectionSettings.Plain, "--tls-cert and --tls-key go together");
        if (parse.GetValue(_snappy) && parse.GetValue(_deflate)) return (ConnectionSettings.Plain, "--snappy and --deflate cannot be used together");
        var level = parse.GetValue(_deflateLevel);
        if (level is < 1 or > 9) return (ConnectionSettings.Plain, "--deflate-level must be 1-9");
        System.Net.Security.SslClientAuthenticationOptions? tlsOptions = null;
        if (tls || !string.IsNullOrEmpty(cert))
        {
            try
            {
                var rootCa = parse.GetValue(_rootCa);
                X509Certificate2Collection? roots = null;
                if (!string.IsNullOrEmpty(rootCa))
                {
                    roots = [];
                    roots.ImportFromPemFile(rootCa);
                }
                tlsOptions = TlsOptions(roots, cert, key, parse.GetValue(_insecure));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return (ConnectionSettings.Plain, $"TLS: {e.Message}");
            }
        }
        var secret = parse.GetValue(_authSecret);
        var settings = new ConnectionSettings(tlsOptions, parse.GetValue(_snappy), parse.GetValue(_deflate), level,
            string.IsNullOrEmpty(secret) ? null : secret);
        string? error = null;
        if (consumerOpt) settings = settings with { ConsumerOpts = GoNsqOptions.Parse(parse.GetValue(_consumerOpt)!, "consumer-opt", true, out error) };
        if (producerOpt && error is null) settings = settings with { ProducerOpts = GoNsqOptions.Parse(parse.GetValue(_producerOpt)!, "producer-opt", false, out error) };
        if (error is not null) return (ConnectionSettings.Plain, error);
        foreach (var (flag, opts) in new[] { ("consumer-opt", settings.ConsumerOpts), ("producer-opt", settings.ProducerOpts) })
        {
            foreach (var ignored in opts.NotApplied)
                parse.InvocationConfiguration.Error.WriteLine($"--{flag} {ignored}: taken, not applied");
        }
        return (settings, null);
    }

    /// <summary>Client TLS options from the flags' parts (go-nsq's tls_* options build the same).</summary>
    internal static System.Net.Security.SslClientAuthenticationOptions TlsOptions(X509Certificate2Collection? roots, string? cert, string? key, bool insecure)
    {
        var options = new System.Net.Security.SslClientAuthenticationOptions();
        if (!string.IsNullOrEmpty(cert)) options.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        if (insecure)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (roots is not null)
        {
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        return options;
    }
}

/// <summary>How a utility's connections to nsqd are made (<see cref="ConnectionFlags"/>).</summary>
internal sealed record ConnectionSettings(System.Net.Security.SslClientAuthenticationOptions? Tls, bool Snappy, bool Deflate,
    int DeflateLevel, string? AuthSecret)
{
    /// <summary>Plain TCP, no compression, no AUTH: the defaults.</summary>
    public static readonly ConnectionSettings Plain = new(null, false, false, 6, null);

    /// <summary><c>--consumer-opt</c>, applied to consumers after the rest.</summary>
    public GoNsqOptions ConsumerOpts { get; init; } = GoNsqOptions.None;

    /// <summary><c>--producer-opt</c>, applied to producers after the rest.</summary>
    public GoNsqOptions ProducerOpts { get; init; } = GoNsqOptions.None;

    /// <summary>The named flags, then the go-nsq options of a consumer or a producer.</summary>
    public T ApplyTo<T>(T options) where T : NsqConnectionOptions
    {
        options.Tls = Tls;
        options.Snappy = Snappy;
        options.Deflate = Deflate;
        options.DeflateLevel = DeflateLevel;
        options.AuthSecret = AuthSecret;
        (options is NsqConsumerOptions ? ConsumerOpts : ProducerOpts).ApplyTo(options);
        return options;
    }
}
