namespace OrleansNsq.Protocol;

public sealed partial class ProtocolV2Parser
{
    private enum ShortageKind : byte
    {
        Line,
        BodySize,
        Body,
        MessageCount,
        PartSize,
        PartBody,
    }

    /// <summary>
    /// Where a NeedMoreData stopped, kept as plain values so the hot path allocates nothing; turned into the error
    /// nsqd would send at EOF only by <see cref="ErrorAtEndOfInput"/>.
    /// </summary>
    private readonly record struct Shortage(ShortageKind Kind, CommandKind Verb, int Index = 0)
    {
        public static Shortage Line => new(ShortageKind.Line, CommandKind.Nop);

        public NsqError? ToError() => (Kind, Verb) switch
        {
            (ShortageKind.Line, _) => null,
            (ShortageKind.BodySize, CommandKind.Identify) => NsqError.IdentifyFailedToReadBodySize,
            (ShortageKind.Body, CommandKind.Identify) => NsqError.IdentifyFailedToReadBody,
            (ShortageKind.BodySize, CommandKind.Auth) => NsqError.AuthFailedToReadBodySize,
            (ShortageKind.Body, CommandKind.Auth) => NsqError.AuthFailedToReadBody,
            (ShortageKind.BodySize, CommandKind.Pub) => NsqError.PubFailedToReadMessageBodySize,
            (ShortageKind.Body, CommandKind.Pub) => NsqError.PubFailedToReadMessageBody,
            (ShortageKind.BodySize, CommandKind.Dpub) => NsqError.DpubFailedToReadMessageBodySize,
            (ShortageKind.Body, CommandKind.Dpub) => NsqError.DpubFailedToReadMessageBody,
            (ShortageKind.BodySize, _) => NsqError.MpubFailedToReadBodySize,
            (ShortageKind.MessageCount, _) => NsqError.MpubFailedToReadMessageCount,
            (ShortageKind.PartSize, _) => NsqError.MpubFailedToReadMessageBodySize(Index),
            _ => NsqError.MpubFailedToReadMessageBody,
        };
    }
}
