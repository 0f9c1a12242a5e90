using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

public class PendingRangeCodecTests
{
    [Fact]
    public void Each_range_is_from_to_and_due_as_int64_little_endian()
    {
        var bytes = PendingRangeCodec.Encode([new PendingRange(1, 0x0203, -1)]);

        Assert.Equal(
            [1, 0, 0, 0, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            bytes);
    }

    [Fact]
    public void Ranges_round_trip_in_order_and_none_is_an_empty_blob()
    {
        PendingRange[] ranges = [new(5, 9, 1_800_000_000_000), new(1, 1, 0), new(long.MaxValue - 1, long.MaxValue, 0)];

        Assert.Equal(ranges, PendingRangeCodec.Decode(PendingRangeCodec.Encode(ranges)));
        Assert.Empty(PendingRangeCodec.Encode([]));
        Assert.Empty(PendingRangeCodec.Decode([]));
    }

    [Fact]
    public void A_blob_that_is_not_whole_ranges_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => PendingRangeCodec.Decode(new byte[25]));

        Assert.Contains("25 bytes", error.Message);
    }

    [Fact]
    public void Body_ends_are_int32_little_endian_and_round_trip()
    {
        var bytes = PendingRangeCodec.EncodeEnds([1, 0x0203]);

        Assert.Equal([1, 0, 0, 0, 3, 2, 0, 0], bytes);
        Assert.Equal([1, 0x0203], PendingRangeCodec.DecodeEnds(bytes));
        Assert.Throws<InvalidDataException>(() => PendingRangeCodec.DecodeEnds(new byte[5]));
    }
}
