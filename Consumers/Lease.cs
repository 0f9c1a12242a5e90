namespace OrleansNsq.Consumers;

/// <summary>A message the pump handed to a holder, until FIN/REQ or its deadline, with the channel's token for that
/// delivery (every settlement of it carries the token). A struct in the pump's one dictionary, so a delivery costs no
/// allocation.</summary>
internal struct Lease(HeldLeases owner, long deliveredUnixMs, long deadlineUnixMs, int token)
{
    public HeldLeases Owner = owner;
    public long DeliveredUnixMs = deliveredUnixMs;
    public long DeadlineUnixMs = deadlineUnixMs;
    public int Token = token;
}
