using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansNsq.Gateway.Auth;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// AUTH and the checks it enables, as nsqd does them with --auth-http-address: AUTH sends the secret to an auth server
/// (with the client's IP, whether it is TLS, and its certificate's common name) and keeps what it grants; SUB, PUB,
/// MPUB and DPUB need AUTH first and must be granted, and an expired grant is asked again first. The auth server's
/// failures are logged, never told to the client. Every refusal is fatal.
/// </summary>
internal sealed partial class ClientSession
{
    private AuthState? _authState;
    private string _authSecret = "";

    private bool HasAuthorizations => _authState is { Authorizations.Count: > 0 };

    private async ValueTask<bool> AuthAsync(V2Command command)
    {
        if (HasAuthorizations)
        {
            WriteError(NsqError.AuthAlreadySet);
            return false;
        }
        if (!_auth.Enabled)
        {
            WriteError(NsqError.AuthDisabled);
            return false;
        }
        _authSecret = Encoding.UTF8.GetString(command.Body);
        try
        {
            _authState = await QueryAuthAsync();
        }
        catch (AuthServerException e)
        {
            AuthLog.Failed(_logger, RemoteAddress, e.Message);
            WriteError(NsqError.AuthFailed);
            return false;
        }
        if (!HasAuthorizations)
        {
            WriteError(NsqError.AuthNoAuthorizationsFound);
            return false;
        }
        using var json = new Utf8JsonWriter((IBufferWriter<byte>)_authAnswer);
        json.WriteStartObject();
        json.WriteString("identity"u8, _authState!.Identity);
        json.WriteString("identity_url"u8, _authState.IdentityUrl);
        json.WriteNumber("permission_count"u8, _authState.Authorizations.Count);
        json.WriteEndObject();
        json.Flush();
        FrameWriter.WriteResponse(_responses, _authAnswer.WrittenSpan);
        _authAnswer.ResetWrittenCount();
        return true;
    }

    private readonly ArrayBufferWriter<byte> _authAnswer = new(128);

    /// <summary>nsqd's CheckAuth for <paramref name="verb"/> on a topic (and channel, for SUB; "" for a publish): null
    /// when allowed, else the fatal error to send.</summary>
    private async ValueTask<NsqError?> CheckAuthAsync(CommandKind verb, string topic, string channel)
    {
        if (!_auth.Enabled) return null;
        if (!HasAuthorizations) return NsqError.AuthRequiredBefore(verb);
        if (_authState!.IsExpired(_time.GetUtcNow()))
        {
            try
            {
                _authState = await QueryAuthAsync();
            }
            catch (AuthServerException e)
            {
                AuthLog.Failed(_logger, RemoteAddress, e.Message);
                return NsqError.AuthFailed;
            }
        }
        return _authState.IsAllowed(topic, channel)
            ? null
            : NsqError.Unauthorized(verb, Encoding.ASCII.GetBytes(topic), Encoding.ASCII.GetBytes(channel));
    }

    private Task<AuthState> QueryAuthAsync()
    {
        var ip = RemoteAddress;
        var colon = ip.LastIndexOf(':');
        if (colon > 0) ip = ip[..colon].Trim('[', ']');
        var commonName = _tlsStream?.RemoteCertificate is { } certificate
            ? new X509Certificate2(certificate).GetNameInfo(X509NameType.SimpleName, forIssuer: false)
            : "";
        return _auth.QueryAsync(ip, IsTls, commonName, _authSecret);
    }

    private static partial class AuthLog
    {
        [LoggerMessage(1007, LogLevel.Warning, "Connection {Remote}: AUTH failed {Reason}")]
        public static partial void Failed(ILogger logger, string remote, string reason);
    }
}
