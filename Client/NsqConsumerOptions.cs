namespace OrleansNsq.Client;

/// <summary>Options of <see cref="NsqConsumer"/>. Defaults follow go-nsq where it has the same setting.</summary>
public sealed class NsqConsumerOptions : NsqConnectionOptions
{
    public string Topic { get; set; } = string.Empty;

    public string Channel { get; set; } = string.Empty;

    /// <summary>nsqd TCP addresses (<c>host:port</c>) to connect to directly. Reconnected after a failure.</summary>
    public IList<string> NsqdTcpAddresses { get; set; } = new List<string>();

    /// <summary>nsqlookupd HTTP addresses (<c>host:port</c> or a URL); every nsqd they list for the topic is connected.</summary>
    public IList<string> LookupdHttpAddresses { get; set; } = new List<string>();

    /// <summary>How often lookupd is asked again for the topic's producers (go-nsq: 60 s).</summary>
    public TimeSpan LookupdPollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Messages in flight at once over all connections (each connection gets max(1, this / connections)).</summary>
    public int MaxInFlight { get; set; } = 1;

    /// <summary>A message delivered more often than this is finished without running the handler (0: no limit).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Requeue delay of a failed message's first attempt; doubles with each attempt up to <see cref="MaxRequeueDelay"/>.</summary>
    public TimeSpan DefaultRequeueDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRequeueDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Base of the consumer backoff after a failure: every connection gets RDY 0 for multiplier × 2^(level−1).</summary>
    public TimeSpan BackoffMultiplier { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff pause; <see cref="TimeSpan.Zero"/> turns the consumer backoff off.</summary>
    public TimeSpan MaxBackoffDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>When MaxInFlight is below the connection count, how often RDY 1 moves from idle connections to others.</summary>
    public TimeSpan RdyRedistributeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before a lost (or at start refused) direct nsqd is dialled again; it doubles with each failed
    /// dial up to <see cref="MaxReconnectDelay"/>, and each wait is drawn at random between half and all of it. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two dials of a lost direct nsqd (before jitter). Default 60 s, go-nsq's fixed
    /// reconnect interval (its LookupdPollInterval).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>IDENTIFY <c>msg_timeout</c>; null keeps nsqd's default (60 s).</summary>
    public TimeSpan? MsgTimeout { get; set; }

    /// <summary>When false the handler must call Finish/Requeue itself; nothing is sent when it returns or throws.</summary>
    public bool AutoResponse { get; set; } = true;

    /// <summary>Called for a message over <see cref="MaxAttempts"/> before it is finished (go-nsq's LogFailedMessage).
    /// With a <see cref="DeadLetterTopic"/> a message only gets there when parking it failed.</summary>
    public Func<NsqMessage, Task>? MaxAttemptsExceeded { get; set; }

    /// <summary>
    /// A topic where a message that fails its last attempt is parked: when a message with <c>Attempts ==
    /// MaxAttempts</c> is requeued (its handler threw, or it called RequeueAsync), its body is published to this topic on
    /// the nsqd it came from and the message is finished instead: it is not delivered once more. If that publish fails
    /// the REQ goes out as usual. Null (default): no parking, go-nsq's MaxAttempts rule alone. Needs MaxAttempts &gt; 0.
    /// </summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>While a handler runs, TOUCH its message every half of nsqd's msg_timeout for the connection (the
    /// IDENTIFY answer's, else <see cref="MsgTimeout"/>, else 60 s), so that a long handler does not see its message
    /// timed out and delivered again. Default false (as go-nsq, which leaves TOUCH to the handler).</summary>
    public bool AutoTouch { get; set; }
}
