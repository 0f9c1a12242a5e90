namespace OrleansNsq.Consumers;

/// <summary>A message the pump handed to a holder, until FIN/REQ or its deadline. A struct in the pump's one
/// dictionary, so a delivery costs no allocation.</summary>
internal struct Lease(HeldLeases owner, long deliveredUnixMs, long deadlineUnixMs)
{
    public HeldLeases Owner = owner;
    public long DeliveredUnixMs = deliveredUnixMs;
    public long DeadlineUnixMs = deadlineUnixMs;
}
