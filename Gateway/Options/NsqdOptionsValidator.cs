using Microsoft.Extensions.Options;

namespace OrleansNsq.Gateway.Options;

/// <summary>Refuses option values nsqd would refuse, naming the flag.</summary>
internal sealed class NsqdOptionsValidator : IValidateOptions<NsqdOptions>
{
    public ValidateOptionsResult Validate(string? name, NsqdOptions o)
    {
        var errors = new List<string>();
        if (o.MaxMsgSize <= 0) errors.Add("--max-msg-size must be > 0");
        if (o.MaxBodySize < o.MaxMsgSize) errors.Add("--max-body-size must be >= --max-msg-size");
        if (o.MaxRdyCount <= 0) errors.Add("--max-rdy-count must be > 0");
        if (o.MemQueueSize < 0) errors.Add("--mem-queue-size must be >= 0");
        if (o.MsgTimeout <= TimeSpan.Zero) errors.Add("--msg-timeout must be > 0");
        if (o.MaxMsgTimeout < o.MsgTimeout) errors.Add("--max-msg-timeout must be >= --msg-timeout");
        if (o.MaxReqTimeout < TimeSpan.Zero) errors.Add("--max-req-timeout must be >= 0");
        if (o.PublishTimeout <= TimeSpan.Zero) errors.Add("--publish-timeout must be > 0");
        if (o.ApiReadTimeout <= TimeSpan.Zero) errors.Add("Nsqd:ApiReadTimeout must be > 0");
        if (o.MaxHeartbeatInterval < TimeSpan.FromSeconds(1)) errors.Add("--max-heartbeat-interval must be >= 1s");
        if (o.MaxDeflateLevel is < 1 or > 9) errors.Add("--max-deflate-level must be 1-9");
        if (o.StatsdInterval <= TimeSpan.Zero) errors.Add("--statsd-interval must be positive");
        if (o.StatsdUdpPacketSize < 1) errors.Add("--statsd-udp-packet-size must be positive");
        try
        {
            Tls.ServerTls.From(o);
        }
        catch (Tls.TlsConfigurationException e)
        {
            errors.Add(e.Message);
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
