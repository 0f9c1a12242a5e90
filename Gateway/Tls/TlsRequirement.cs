namespace OrleansNsq.Gateway.Tls;

/// <summary>--tls-required, as nsqd reads it.</summary>
public enum TlsRequirement
{
    /// <summary>"false": TLS is offered (with a certificate), never required.</summary>
    NotRequired,
    /// <summary>"tcp-https": TCP clients must upgrade before any command but IDENTIFY; the plain HTTP API stays open.</summary>
    ExceptHttp,
    /// <summary>"true": TCP clients must upgrade, and the plain HTTP API answers 403 TLS_REQUIRED (HTTPS serves).</summary>
    Required,
}
