namespace OrleansNsq.Client;

/// <summary>Settings every connection to nsqd uses; most are sent in IDENTIFY.</summary>
public abstract class NsqConnectionOptions
{
    /// <summary>IDENTIFY <c>client_id</c>; default the short host name.</summary>
    public string ClientId { get; set; } = Environment.MachineName.Split('.')[0];

    /// <summary>IDENTIFY <c>hostname</c>; default the host name.</summary>
    public string Hostname { get; set; } = Environment.MachineName;

    /// <summary>IDENTIFY <c>user_agent</c>, shown in nsqd's /stats.</summary>
    public string UserAgent { get; set; } = "orleansnsq-client/1.0";

    /// <summary>How often nsqd sends <c>_heartbeat_</c> (answered with NOP). 1 s … 60 s; default 30 s as nsqd.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed to open the TCP connection and finish IDENTIFY.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
