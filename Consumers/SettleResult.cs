namespace OrleansNsq.Consumers;

/// <summary>What a FIN/REQ/TOUCH found (nsqd's texts: "ID not in flight", "client does not own message").</summary>
internal enum SettleResult : byte
{
    Ok,
    NotInFlight,
    NotOwner,
}
