using OrleansNsq.Gateway.Connections;

namespace OrleansNsq.Gateway.Subscriptions;

/// <summary>A message this gateway wrote to one of its consumers, until FIN/REQ or its deadline.</summary>
internal struct InFlightMessage(ClientSession owner, long deliveredUnixMs, long deadlineUnixMs)
{
    public ClientSession Owner = owner;
    public long DeliveredUnixMs = deliveredUnixMs;
    public long DeadlineUnixMs = deadlineUnixMs;
}

/// <summary>What a FIN/REQ/TOUCH found (nsqd's texts: "ID not in flight", "client does not own message").</summary>
internal enum SettleResult : byte
{
    Ok,
    NotInFlight,
    NotOwner,
}
