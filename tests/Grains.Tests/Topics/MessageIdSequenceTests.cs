using OrleansNsq.Grains.Topics;

namespace OrleansNsq.Grains.Tests.Topics;

public class MessageIdSequenceTests
{
    private const long Now = 1_764_000_000_000;

    [Fact]
    public void Ids_are_consecutive_within_and_across_batches()
    {
        var ids = new MessageIdSequence(Now);

        var first = ids.Take(3);
        var second = ids.Take(2);

        Assert.Equal(first + 3, second);
        Assert.Equal(second + 2, ids.Next);
    }

    [Fact]
    public void A_new_activation_starts_above_every_id_the_last_one_handed_out()
    {
        var before = new MessageIdSequence(Now);
        long last = 0;
        for (var i = 0; i < 1_000; i++) last = before.Take(1_000) + 999;

        var after = new MessageIdSequence(Now + 1);

        Assert.True(after.Take(1) > last);
    }

    [Fact]
    public void A_new_activation_starts_above_the_last_id_in_the_message_log()
    {
        var ids = new MessageIdSequence(Now);
        var stored = MessageIdSequence.Floor(Now + 60_000);

        ids.StartAbove(stored);

        Assert.Equal(stored + 1, ids.Take(1));
    }

    [Fact]
    public void Ids_are_positive_and_fit_nsqs_16_hex_digits()
    {
        var id = new MessageIdSequence(Now).Take(1);
        Assert.InRange(id, 1, long.MaxValue);
        Assert.Equal(16, id.ToString("x16").Length);
    }
}
