using System.Text;

namespace OrleansNsq.Grains.Tests.Channels;

/// <summary>Builds segments as a topic would hand them to a channel; body i is "m{id}".</summary>
internal static class Segments
{
    public const long TimestampNs = 1_700_000_000_000_000_000;

    public static MessageSegment Of(long firstId, int count, int deferMs = 0)
    {
        var bodies = new byte[count][];
        for (var i = 0; i < count; i++) bodies[i] = Encoding.ASCII.GetBytes($"m{firstId + i}");
        return new MessageSegment(firstId, TimestampNs, PublishBatch.From(bodies, deferMs));
    }

    public static string Text(this DeliveredMessage message) => Encoding.ASCII.GetString(message.Body.Span);

    public static long[] Ids(this DeliveryBatch batch) => batch.Messages.Select(m => m.Id).ToArray();

    public static Settlement[] Fin(params long[] ids) => ids.Select(id => new Settlement(id, SettlementKind.Finish)).ToArray();
}
