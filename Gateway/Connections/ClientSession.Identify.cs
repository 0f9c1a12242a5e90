using System.Buffers;
using OrleansNsq.Consumers;
using OrleansNsq.Gateway.Identify;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Connections;

/// <summary>IDENTIFY: the connection's values, feature negotiation and the upgrades it grants (ClientSession.Upgrade.cs).</summary>
internal sealed partial class ClientSession
{
    private bool _identified;
    private readonly Random _sampler = new();

    internal string ClientId { get; private set; } = "";
    internal string Hostname { get; private set; } = "";
    internal string UserAgent { get; private set; } = "";
    internal int SampleRate { get; private set; }

    private bool Identify(in V2Command command)
    {
        if (!IdentifyRequest.TryParse(command.Body, out var request))
        {
            WriteError(NsqError.IdentifyFailedToDecodeJsonBody);
            return false;
        }
        var error = IdentifyNegotiation.Validate(request!, _options, out var result);
        if (error is not null)
        {
            WriteError(error);
            return false;
        }
        ClientId = result.ClientId;
        Hostname = result.Hostname;
        UserAgent = result.UserAgent;
        SampleRate = result.SampleRate;
        MsgTimeoutMs = (int)result.MsgTimeout.TotalMilliseconds;
        if (!_identified)
        {
            _identified = true;
            _heartbeatInterval = result.HeartbeatInterval;
            RearmHeartbeats();
        }

        if (!result.FeatureNegotiation)
        {
            WriteResponse(FrameWriter.OkFrame);
            return true;
        }
        // nsqd: the answer goes out on the connection as it is, then it upgrades (UpgradeAsync, after this read
        // buffer): TLS when the client asks and a certificate is configured, then snappy or deflate.
        var refused = IdentifyNegotiation.Upgrades(request!, _options, _tls.Enabled && !IsTls, out var upgrades);
        if (refused is not null || (_compression is not null && (upgrades.Snappy || upgrades.Deflate)))
        {
            WriteError(refused ?? NsqError.IdentifyFailed("connection already compressed"));
            return false;
        }
        var json = new ArrayBufferWriter<byte>(512);
        IdentifyNegotiation.WriteResponse(json, result, _options, upgrades, authRequired: _auth.Enabled);
        FrameWriter.WriteResponse(_responses, json.WrittenSpan);
        if (upgrades.Any)
        {
            _pendingUpgrades = upgrades;
            _deflateLevel = result.DeflateLevel;
        }
        return true;
    }

    /// <summary>sample_rate N: as nsqd/protocol_v2.go, a message is dropped when rand.Int31n(100) &gt; N, so (N+1)% are kept.</summary>
    bool ILeaseHolder.ShouldSampleOut() => SampleRate > 0 && _sampler.Next(100) > SampleRate;

    internal ClientSnapshot Snapshot()
    {
        KeyValuePair<string, long>[] pubCounts;
        lock (_pubCounts) pubCounts = [.. _pubCounts];
        var ip = RemoteAddress;
        var colon = ip.LastIndexOf(':');
        var host = colon > 0 ? ip[..colon].Trim('[', ']') : ip;
        return new ClientSnapshot
        {
            ClientId = _identified ? ClientId : host,
            Hostname = _identified ? Hostname : host,
            RemoteAddress = RemoteAddress,
            State = (int)_state,
            ReadyCount = Volatile.Read(ref _readyCount),
            InFlightCount = _leases?.InFlightCount ?? 0,
            MessageCount = _leases?.MessageCount ?? 0,
            FinishCount = FinishCount,
            RequeueCount = RequeueCount,
            ConnectTimestamp = ConnectedAt.ToUnixTimeSeconds(),
            SampleRate = SampleRate,
            UserAgent = UserAgent,
            Tls = _tlsState,
            Snappy = _compressedWith == Compression.Snappy,
            Deflate = _compressedWith == Compression.Deflate,
            Topic = _subTopic,
            Channel = _subChannel,
            PubCounts = pubCounts,
        };
    }
}
