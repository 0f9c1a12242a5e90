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

    /// <summary>FINs of these deliveries (each with its lease token).</summary>
    public static Settlement[] Fin(params IEnumerable<DeliveredMessage> messages) => messages.Select(m => Settlement.Fin(m)).ToArray();

    /// <summary>FINs of ids as a consumer of <paramref name="queue"/> holding them would send them: with the token each
    /// is in flight under now (0, refused, for an id not in flight).</summary>
    public static Settlement[] Fin(ChannelQueue queue, params long[] ids) => ids.Select(id => Settle(queue, id, SettlementKind.Finish)).ToArray();

    /// <summary>A settlement of <paramref name="id"/> with the token it is in flight under in <paramref name="queue"/>.</summary>
    public static Settlement Settle(ChannelQueue queue, long id, SettlementKind kind, int milliseconds = 0) =>
        new(id, queue.InFlight.LeaseTokenOf(id), kind, milliseconds);
}
