using System.Runtime.InteropServices;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// Leases of several messages, kept per lease: each Lease call is one <see cref="LeaseBlock"/> with one deadline and a
/// settled bit per slot, so leasing and finishing a message costs a bit, not a dictionary entry and a heap entry.
/// <para>Finding an id: a lease's consecutive ids (a segment's messages) form runs, kept in a deque sorted by first id
/// (fresh ids only grow, so runs are appended at the tail) and found by the last hit or a binary search. Ids that do
/// not extend the sorted order (requeued or timed-out messages coming back with old ids) go to a dictionary.</para>
/// <para>Deadlines: one entry per block, in a queue in lease order while deadlines only grow (one msg_timeout), else
/// in a heap; one heap entry per TOUCH (a TOUCHed message leaves its block's deadline for its own). Removal is lazy:
/// entries of retired blocks, settled slots or superseded touches are skipped when reached and dropped wholesale once
/// they outnumber the live ones (plus <see cref="CompactionSlack"/>); a retired block lets go of its messages at once.
/// Retired runs leave the deque from either end at once, and from the middle once they outnumber the live ones.</para>
/// <para>A block stays until its last message is settled, so one message left in flight keeps its lease's array
/// (40 bytes a message, 80 KB at 2,000), next to its segment's bodies, which its own body keeps alive in any case.</para>
/// </summary>
internal sealed class LeaseBlockTable
{
    // Below this many stale entries a rebuild costs more than it saves.
    private const int CompactionSlack = 1024;

    // Leases whose deadline is not before the last one queued (the usual case: one msg_timeout, a clock that moves
    // forward) wait in lease order; the rest, and TOUCHes, in the heap.
    private readonly Queue<LeaseBlock> _leaseOrder = new();
    private long _leaseOrderTail;
    private readonly PriorityQueue<Due, long> _deadlines = new();
    private int _liveBlocks;
    // Runs in [_runHead, _runTail), ascending and disjoint by id.
    private Run[] _runs = new Run[16];
    private int _runHead;
    private int _runTail;
    private int _retiredRuns;
    // Run of the last successful lookup: FINs in delivery order hit it without a search.
    private int _lastRun;
    private readonly Dictionary<long, Location> _sparse = new();
    // The own deadline of every TOUCHed message in flight.
    private readonly Dictionary<long, long> _touched = new();
    // A block whose deadline passed, being expired slot by slot by TryPopExpired.
    private LeaseBlock? _expiring;
    private int _expiringSlot;
    // The slot TryPeekExpired found, until taken or settled.
    private LeaseBlock? _next;
    private int _nextSlot;
    private long _nextDeadline;

    public int Count { get; private set; }

    /// <summary>Entries in the deadline queues, stale ones included (tests watch compaction through it).</summary>
    internal int DeadlineEntries => _leaseOrder.Count + _deadlines.Count;

    /// <summary>Runs in the id deque, retired ones included (tests watch their removal through it).</summary>
    internal int RunEntries => _runTail - _runHead;

    /// <summary>Ids in the sparse map (tests watch it empty as messages settle).</summary>
    internal int SparseEntries => _sparse.Count;

    /// <summary>Every id in flight, as ready ranges: after a crash they are delivered again.</summary>
    public void CollectRanges(List<PendingRange> into)
    {
        for (var i = _runHead; i < _runTail; i++)
        {
            var run = _runs[i];
            if (run.Block.Retired) continue;
            var end = run.Slot + run.Count;
            for (var slot = run.Block.NextLive(run.Slot); slot < end;)
            {
                var from = slot;
                while (slot < end && !run.Block.IsSettled(slot)) slot++;
                into.Add(new PendingRange(run.FirstId + (from - run.Slot), run.FirstId + (slot - 1 - run.Slot), 0));
                slot = slot < end ? run.Block.NextLive(slot) : end;
            }
        }
        foreach (var id in _sparse.Keys) into.Add(new PendingRange(id, id, 0));
    }

    /// <summary>One lease: <paramref name="messages"/> as handed to the consumer (never changed afterwards), all in
    /// flight until <paramref name="deadlineUnixMs"/>.</summary>
    public void Add(DeliveredMessage[] messages, in LeaseCountdowns countdowns, long deliveredAtUnixMs, long deadlineUnixMs,
        int timeoutMs)
    {
        if (messages.Length == 0) return;
        var block = new LeaseBlock(messages, countdowns, deliveredAtUnixMs, deadlineUnixMs, timeoutMs);
        // Split into runs that keep the deque sorted; what does not fit goes to the map.
        var end = _runTail > _runHead ? _runs[_runTail - 1].LastId : long.MinValue;
        var start = -1;
        for (var slot = 0; slot < messages.Length; slot++)
        {
            var id = messages[slot].Id;
            if (start >= 0 && id == end + 1)
            {
                end = id;
                continue;
            }
            if (start >= 0)
            {
                PushRun(block, start, slot - start);
                start = -1;
            }
            if (id > end)
            {
                start = slot;
                end = id;
            }
            else
            {
                _sparse[id] = new Location(block, slot);
                block.Sparse++;
            }
        }
        if (start >= 0) PushRun(block, start, messages.Length - start);
        if (_leaseOrder.Count == 0 || deadlineUnixMs >= _leaseOrderTail)
        {
            _leaseOrder.Enqueue(block);
            _leaseOrderTail = deadlineUnixMs;
        }
        else
            _deadlines.Enqueue(new Due(block, -1), deadlineUnixMs);
        _liveBlocks++;
        Count += messages.Length;
    }

    /// <summary>A holder's FIN/REQ/release: only while <paramref name="id"/> is in flight under
    /// <paramref name="leaseToken"/>.</summary>
    public bool TryRemove(long id, int leaseToken, out InFlightMessage message)
    {
        if (!TryFind(id, out var block, out var slot) || block.Messages[slot].LeaseToken != leaseToken)
        {
            message = default;
            return false;
        }
        message = block.ToInFlight(slot, DeadlineOf(block, id));
        Settle(block, slot, id);
        return true;
    }

    /// <summary>The token <paramref name="id"/> is in flight under; 0 when it is not in flight.</summary>
    internal int LeaseTokenOf(long id) => TryFind(id, out var block, out var slot) ? block.Messages[slot].LeaseToken : 0;

    /// <summary>A holder's TOUCH, only while <paramref name="id"/> is in flight under <paramref name="leaseToken"/>: the
    /// deadline becomes now + timeout, but never later than the delivery time + max-msg-timeout (as
    /// nsqd/channel.go TouchMessage).</summary>
    public bool TryTouch(long id, int leaseToken, long nowUnixMs, int timeoutMs, long maxMsgTimeoutMs)
    {
        if (!TryFind(id, out var block, out var slot) || block.Messages[slot].LeaseToken != leaseToken) return false;
        if (timeoutMs <= 0) timeoutMs = block.TimeoutMs;
        var deadline = Math.Min(nowUnixMs + timeoutMs, block.DeliveredAtUnixMs + maxMsgTimeoutMs);
        ref var own = ref CollectionsMarshal.GetValueRefOrAddDefault(_touched, id, out var exists);
        own = deadline;
        if (!exists) block.Touched++;
        // Found as expired but not taken yet: it leaves its block's deadline now.
        if (_next == block && _nextSlot == slot) _next = null;
        _deadlines.Enqueue(new Due(block, slot), deadline);
        if (_deadlines.Count > 2 * Count + CompactionSlack) CompactDeadlines();
        return true;
    }

    /// <summary>The deadline of the next message to expire, when it has passed: it is found (and stale entries
    /// before it dropped) here, and taken by <see cref="TryPopExpired"/> unless settled in between.</summary>
    public bool TryPeekExpired(long nowUnixMs, out long deadline)
    {
        if (_next is not null)
        {
            deadline = _nextDeadline;
            return true;
        }
        while (true)
        {
            if (_expiring is { } block)
            {
                // The rest of a block whose deadline passed: every live slot not TOUCHed to a deadline of its own.
                var messages = block.Messages;
                for (var slot = block.NextLive(_expiringSlot); slot < messages.Length; slot = block.NextLive(slot + 1))
                {
                    if (block.Touched > 0 && _touched.ContainsKey(messages[slot].Id)) continue;
                    _expiringSlot = slot + 1;
                    return Found(block, slot, block.DeadlineUnixMs, out deadline);
                }
                _expiring = null;
            }
            LeaseBlock? oldest;
            while (_leaseOrder.TryPeek(out oldest) && oldest.Retired) _leaseOrder.Dequeue();
            var leaseDue = oldest is not null && oldest.DeadlineUnixMs <= nowUnixMs;
            var heapDue = _deadlines.TryPeek(out var due, out deadline) && deadline <= nowUnixMs;
            if (leaseDue && (!heapDue || oldest!.DeadlineUnixMs <= deadline))
            {
                _leaseOrder.Dequeue();
                if (oldest!.Live > oldest.Touched)
                {
                    _expiring = oldest;
                    _expiringSlot = 0;
                }
                continue;
            }
            if (!heapDue) return false;
            _deadlines.Dequeue();
            if (due.Block.Retired) continue;
            if (due.Slot < 0)
            {
                if (due.Block.Live > due.Block.Touched)
                {
                    _expiring = due.Block;
                    _expiringSlot = 0;
                }
                continue;
            }
            // A TOUCH's deadline: stale when the slot was settled or touched again since.
            var id = due.Block.Messages[due.Slot].Id;
            if (!due.Block.IsSettled(due.Slot) && _touched.TryGetValue(id, out var own) && own == deadline)
                return Found(due.Block, due.Slot, own, out deadline);
        }
    }

    /// <summary>Removes and returns one message whose deadline has passed.</summary>
    public bool TryPopExpired(long nowUnixMs, out long id, out InFlightMessage message)
    {
        if (!TryPeekExpired(nowUnixMs, out var deadline))
        {
            id = 0;
            message = default;
            return false;
        }
        var (block, slot) = (_next!, _nextSlot);
        id = block.Messages[slot].Id;
        message = block.ToInFlight(slot, deadline);
        Settle(block, slot, id);
        return true;
    }

    private bool Found(LeaseBlock block, int slot, long deadline, out long found)
    {
        _next = block;
        _nextSlot = slot;
        _nextDeadline = found = deadline;
        return true;
    }

    public void Clear()
    {
        for (var i = _runHead; i < _runTail; i++) _runs[i].Block.Retire();
        foreach (var slot in _sparse.Values) slot.Block.Retire();
        _expiring?.Retire();
        Array.Clear(_runs, _runHead, _runTail - _runHead);
        _runHead = _runTail = _retiredRuns = _lastRun = 0;
        _sparse.Clear();
        _touched.Clear();
        _deadlines.Clear();
        _leaseOrder.Clear();
        _expiring = null;
        _next = null;
        _liveBlocks = 0;
        Count = 0;
    }

    /// <summary>The live slot holding <paramref name="id"/>.</summary>
    private bool TryFind(long id, out LeaseBlock block, out int slot)
    {
        if (_runTail > _runHead && id >= _runs[_runHead].FirstId && id <= _runs[_runTail - 1].LastId)
        {
            // The last hit, or the run after it (FINs in delivery order across small leases), or a search.
            var i = _lastRun;
            if (!Holds(i, id) && !Holds(++i, id)) i = FindRun(id);
            if (i >= 0)
            {
                var run = _runs[i];
                slot = run.Slot + (int)(id - run.FirstId);
                // A settled slot's id may be in flight again through the map (requeued, then leased again).
                if (!run.Block.Retired && !run.Block.IsSettled(slot))
                {
                    _lastRun = i;
                    block = run.Block;
                    return true;
                }
            }
        }
        if (_sparse.Count > 0 && _sparse.TryGetValue(id, out var found))
        {
            (block, slot) = found;
            return true;
        }
        block = null!;
        slot = 0;
        return false;
    }

    private bool Holds(int run, long id) =>
        run >= _runHead && run < _runTail && id >= _runs[run].FirstId && id <= _runs[run].LastId;

    /// <summary>Index of the run that holds <paramref name="id"/>, -1 when none.</summary>
    private int FindRun(long id)
    {
        int low = _runHead, high = _runTail - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            ref readonly var run = ref _runs[middle];
            if (id < run.FirstId) high = middle - 1;
            else if (id > run.LastId) low = middle + 1;
            else return middle;
        }
        return -1;
    }

    private long DeadlineOf(LeaseBlock block, long id) =>
        block.Touched > 0 && _touched.TryGetValue(id, out var own) ? own : block.DeadlineUnixMs;

    private void Settle(LeaseBlock block, int slot, long id)
    {
        block.Settle(slot);
        Count--;
        if (_next == block && _nextSlot == slot) _next = null;
        if (block.Sparse > 0 && _sparse.TryGetValue(id, out var entry) && entry.Block == block && _sparse.Remove(id))
            block.Sparse--;
        if (block.Touched > 0 && _touched.Remove(id)) block.Touched--;
        if (block.Live == 0) Retire(block);
    }

    private void Retire(LeaseBlock block)
    {
        block.Retire();
        _liveBlocks--;
        _retiredRuns += block.Runs;
        while (_runTail > _runHead && _runs[_runHead].Block.Retired)
        {
            _runs[_runHead++] = default;
            _retiredRuns--;
        }
        while (_runTail > _runHead && _runs[_runTail - 1].Block.Retired)
        {
            _runs[--_runTail] = default;
            _retiredRuns--;
        }
        if (_runTail == _runHead) _runHead = _runTail = 0;
        else if (_retiredRuns > CompactionSlack && _retiredRuns > _runTail - _runHead - _retiredRuns) CompactRuns();
        // Leases settled in lease order leave at once; from the middle, once they outnumber the live ones.
        while (_leaseOrder.TryPeek(out var oldest) && oldest.Retired) _leaseOrder.Dequeue();
        if (_leaseOrder.Count > 2 * _liveBlocks + CompactionSlack) CompactLeaseOrder();
        if (_deadlines.Count > 2 * Count + CompactionSlack) CompactDeadlines();
    }

    private void PushRun(LeaseBlock block, int slot, int count)
    {
        if (_runTail == _runs.Length)
        {
            if (_runHead > 0 && _runHead >= _runs.Length / 2) CompactRuns();
            else Array.Resize(ref _runs, _runs.Length * 2);
        }
        var firstId = block.Messages[slot].Id;
        _runs[_runTail++] = new Run(firstId, firstId + count - 1, slot, block);
        block.Runs++;
    }

    /// <summary>Drops retired runs and moves the live ones to the front.</summary>
    private void CompactRuns()
    {
        var to = 0;
        for (var i = _runHead; i < _runTail; i++)
            if (!_runs[i].Block.Retired) _runs[to++] = _runs[i];
        Array.Clear(_runs, to, _runTail - to);
        _runHead = 0;
        _runTail = to;
        _retiredRuns = 0;
        _lastRun = 0;
    }

    private void CompactLeaseOrder()
    {
        var live = _leaseOrder.Where(block => !block.Retired).ToArray();
        _leaseOrder.Clear();
        foreach (var block in live) _leaseOrder.Enqueue(block);
    }

    /// <summary>Keeps only the deadline entries that can still expire something.</summary>
    private void CompactDeadlines()
    {
        var live = new List<(Due, long)>();
        foreach (var (due, deadline) in _deadlines.UnorderedItems)
        {
            var block = due.Block;
            if (block.Retired) continue;
            if (due.Slot < 0 ? block.Live > block.Touched
                : !block.IsSettled(due.Slot) && _touched.TryGetValue(block.Messages[due.Slot].Id, out var own) && own == deadline)
                live.Add((due, deadline));
        }
        _deadlines.Clear();
        _deadlines.EnqueueRange(live);
    }

    /// <summary>Ids <see cref="FirstId"/> … <see cref="LastId"/> at slots from <see cref="Slot"/> of a block.</summary>
    private readonly record struct Run(long FirstId, long LastId, int Slot, LeaseBlock Block)
    {
        public int Count => (int)(LastId - FirstId) + 1;
    }

    private readonly record struct Location(LeaseBlock Block, int Slot);

    /// <summary>A block's deadline (<see cref="Slot"/> -1) or a TOUCHed slot's.</summary>
    private readonly record struct Due(LeaseBlock Block, int Slot);
}
