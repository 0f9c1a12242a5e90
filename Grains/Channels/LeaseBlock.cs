using System.Numerics;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// The messages of one lease, as <see cref="InFlightTable"/> keeps them: the delivered array itself (immutable once
/// handed out, so it is shared, not copied), one deadline for the whole lease, and a settled bit per slot. A slot is
/// settled by FIN, REQ, release, expiry, or by the channel being emptied; at zero live slots the block is retired.
/// A TOUCHed slot leaves the block's deadline for its own (kept by the table); <see cref="Touched"/> counts them.
/// </summary>
internal sealed class LeaseBlock
{
    // Bits for the first 64 slots inline: a lease of one (RDY 1) allocates no bit array.
    private ulong _settled0;
    private readonly ulong[]? _settled;
    private LeaseCountdowns _countdowns;

    public LeaseBlock(DeliveredMessage[] messages, in LeaseCountdowns countdowns, long deliveredAtUnixMs, long deadlineUnixMs,
        int timeoutMs)
    {
        Messages = messages;
        _countdowns = countdowns;
        DeliveredAtUnixMs = deliveredAtUnixMs;
        DeadlineUnixMs = deadlineUnixMs;
        TimeoutMs = timeoutMs;
        Live = messages.Length;
        if (messages.Length > 64) _settled = new ulong[(messages.Length - 1) / 64];
    }

    /// <summary>The leased messages by slot, as the consumer got them; empty once retired.</summary>
    public DeliveredMessage[] Messages { get; private set; }

    /// <summary>When the lease was made: TOUCH never extends beyond it + max-msg-timeout.</summary>
    public long DeliveredAtUnixMs { get; }

    /// <summary>The lease's deadline, for every slot not TOUCHed.</summary>
    public long DeadlineUnixMs { get; }

    /// <summary>The lease's msg_timeout; a TOUCH without its own timeout renews by this much.</summary>
    public int TimeoutMs { get; }

    /// <summary>Slots not settled yet.</summary>
    public int Live { get; private set; }

    /// <summary>Live slots with a deadline of their own (TOUCHed).</summary>
    public int Touched { get; set; }

    /// <summary>Live slots the table finds through its id map instead of a run.</summary>
    public int Sparse { get; set; }

    /// <summary>Runs of consecutive ids the table keeps for this block.</summary>
    public int Runs { get; set; }

    /// <summary>No live slot left: the table's entries for it are stale.</summary>
    public bool Retired { get; private set; }

    /// <summary>Lets go of the messages (and so of their segments' bodies): stale deadline entries may keep the block
    /// itself for a while, but nothing it leased.</summary>
    public void Retire()
    {
        Retired = true;
        Messages = [];
        _countdowns = default;
    }

    public bool IsSettled(int slot)
    {
        var bits = slot < 64 ? _settled0 : _settled![(slot >> 6) - 1];
        return (bits & (1UL << slot)) != 0;
    }

    /// <summary>Marks a live slot settled.</summary>
    public void Settle(int slot)
    {
        if (slot < 64) _settled0 |= 1UL << slot;
        else _settled![(slot >> 6) - 1] |= 1UL << slot;
        Live--;
    }

    /// <summary>The first live slot at or after <paramref name="slot"/>; <see cref="Messages"/>.Length when none.</summary>
    public int NextLive(int slot)
    {
        var length = Messages.Length;
        while (slot < length)
        {
            var word = slot >> 6;
            var bits = ~(word == 0 ? _settled0 : _settled![word - 1]) & (ulong.MaxValue << slot);
            if (bits != 0) return Math.Min(length, (word << 6) + BitOperations.TrailingZeroCount(bits));
            slot = (word + 1) << 6;
        }
        return length;
    }

    public SettleCountdown? Countdown(int slot) => _countdowns.Get(slot);

    public InFlightMessage ToInFlight(int slot, long deadlineUnixMs)
    {
        ref readonly var message = ref Messages[slot];
        return new InFlightMessage(message.TimestampNs, message.Attempts, message.Body, DeliveredAtUnixMs, deadlineUnixMs,
            TimeoutMs, _countdowns.Get(slot), message.LeaseToken);
    }
}

/// <summary>The <see cref="SettleCountdown"/> of each slot of a lease: one for all while they agree (a lease from one
/// segment), an array from the first slot that differs.</summary>
internal struct LeaseCountdowns
{
    private SettleCountdown? _common;
    private SettleCountdown?[]? _each;

    /// <summary>Sets slot <paramref name="slot"/>'s countdown; slots are set in order, from 0.</summary>
    public void Set(int slot, SettleCountdown? countdown, int capacity)
    {
        if (_each is not null) _each[slot] = countdown;
        else if (slot == 0) _common = countdown;
        else if (!ReferenceEquals(countdown, _common))
        {
            _each = new SettleCountdown?[capacity];
            Array.Fill(_each, _common, 0, slot);
            _each[slot] = countdown;
        }
    }

    public readonly SettleCountdown? Get(int slot) => _each is null ? _common : _each[slot];
}
