namespace OrleansNsq.Protocol;

/// <summary>The V2 verbs nsqd understands (nsqd/protocol_v2.go Exec). Spelled as NSQ spells them.</summary>
public enum CommandKind : byte
{
    Identify,
    Auth,
    Sub,
    Pub,
    Mpub,
    Dpub,
    Rdy,
    Fin,
    Req,
    Touch,
    Cls,
    Nop,
}
