using System.Text;
using OrleansNsq.Grains.Storage.Log;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>
/// What every <see cref="IMessageLogStore"/> must do (Grains/Storage/Log/IMessageLogStore.cs), run once per store: a
/// store's test class derives from this and opens a fresh store in <see cref="OpenStoreAsync"/>. Each test uses topics
/// of its own, so a store may also be shared. Ids, names and bodies are small and literal so a failure reads plainly.
/// </summary>
public abstract class MessageLogStoreContract : IAsyncLifetime
{
    private IMessageLogStore? _store;

    protected IMessageLogStore Store => _store ?? throw new InvalidOperationException("the store is not open");

    /// <summary>A new store on empty storage.</summary>
    protected abstract Task<IMessageLogStore> OpenStoreAsync();

    /// <summary>Closes the store and removes its storage.</summary>
    protected abstract Task CloseStoreAsync();

    /// <summary>Makes every later append of a batch of <paramref name="topic"/> fail inside the storage (a trigger that
    /// raises), so a test can break a commit after its other writes ran and check they are all undone.</summary>
    protected abstract Task FailAppendsToAsync(string topic);

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public Task DisposeAsync() => CloseStoreAsync();

    protected static string NewTopic() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A batch of <paramref name="bodies"/> with ids from <paramref name="firstId"/>.</summary>
    protected static LogWrite.AppendBatch Batch(string topic, long firstId, string[] bodies, bool held = false, long dueUnixMs = 0,
        long timestampNs = 1_700_000_000_000_000_000)
    {
        var data = new List<byte>();
        var ends = new int[bodies.Length];
        for (var i = 0; i < bodies.Length; i++)
        {
            data.AddRange(Encoding.UTF8.GetBytes(bodies[i]));
            ends[i] = data.Count;
        }
        return new LogWrite.AppendBatch(topic, firstId, bodies.Length, timestampNs, dueUnixMs, held, data.ToArray(), ends);
    }

    /// <summary>A batch of ids <paramref name="firstId"/> … <paramref name="lastId"/>, bodies "m{id}".</summary>
    protected static LogWrite.AppendBatch Ids(string topic, long firstId, long lastId, bool held = false) =>
        Batch(topic, firstId, Enumerable.Range(0, (int)(lastId - firstId + 1)).Select(i => $"m{firstId + i}").ToArray(), held);

    protected static LogWrite.SaveCursor Cursor(string topic, string channel, long lowWater, long receivedThrough = -1,
        params PendingRange[] pending) =>
        new(topic, channel, new StoredCursor(lowWater, receivedThrough < 0 ? lowWater : receivedThrough, pending));

    protected Task CommitAsync(params LogWrite[] writes) => Store.CommitAsync(writes);

    protected static string[] Bodies(StoredBatch batch)
    {
        var bodies = new string[batch.Count];
        var start = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            bodies[i] = Encoding.UTF8.GetString(batch.Data, start, batch.Ends[i] - start);
            start = batch.Ends[i];
        }
        return bodies;
    }

    /// <summary>The topic's stored batches as "first-last" strings, in the order read.</summary>
    protected async Task<string[]> StoredRangesAsync(string topic, long afterId = 0) =>
        (await Store.ReadBatchesAsync(topic, afterId, int.MaxValue)).Select(b => $"{b.FirstId}-{b.LastId}").ToArray();

    // --- appends and reads ---

    [StoreFact]
    public async Task Appended_batches_read_back_in_id_order_with_bodies_timestamps_due_times_and_held_flags()
    {
        var topic = NewTopic();
        await CommitAsync(Batch(topic, 6, ["f", "g"], held: true, timestampNs: 66), Batch(topic, 1, ["a", "bb"], timestampNs: 11));
        await CommitAsync(Batch(topic, 3, ["", "dddd", "e"], dueUnixMs: 1_800_000_000_000, timestampNs: 33));

        var batches = await Store.ReadBatchesAsync(topic, 0, int.MaxValue);

        Assert.Equal([1L, 3, 6], batches.Select(b => b.FirstId));
        Assert.Equal([2L, 5, 7], batches.Select(b => b.LastId));
        Assert.Equal([2, 3, 2], batches.Select(b => b.Count));
        Assert.Equal(["a", "bb"], Bodies(batches[0]));
        Assert.Equal(["", "dddd", "e"], Bodies(batches[1]));
        Assert.Equal([0, 4, 5], batches[1].Ends);
        Assert.Equal([11L, 33, 66], batches.Select(b => b.TimestampNs));
        Assert.Equal([0L, 1_800_000_000_000, 0], batches.Select(b => b.DueUnixMs));
        Assert.Equal([false, false, true], batches.Select(b => b.Held));
    }

    [StoreFact]
    public async Task ReadBatches_returns_the_batches_whose_last_id_is_above_afterId()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2), Ids(topic, 3, 5), Ids(topic, 6, 7));

        Assert.Equal(["1-2", "3-5", "6-7"], await StoredRangesAsync(topic, 0));
        Assert.Equal(["3-5", "6-7"], await StoredRangesAsync(topic, 2));
        Assert.Equal(["3-5", "6-7"], await StoredRangesAsync(topic, 4));
        Assert.Equal(["6-7"], await StoredRangesAsync(topic, 5));
        Assert.Empty(await StoredRangesAsync(topic, 7));
    }

    [StoreFact]
    public async Task ReadBatches_returns_at_most_maxBatches_of_the_first_ones()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 6, 7), Ids(topic, 1, 2), Ids(topic, 3, 5), Ids(topic, 8, 8));

        Assert.Equal(["1-2", "3-5"], (await Store.ReadBatchesAsync(topic, 0, 2)).Select(b => $"{b.FirstId}-{b.LastId}"));
        Assert.Equal(["6-7"], (await Store.ReadBatchesAsync(topic, 5, 1)).Select(b => $"{b.FirstId}-{b.LastId}"));
    }

    [StoreFact]
    public async Task ReadHeldRanges_merges_touching_held_batches_above_released_through_and_skips_unheld_ones()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2, held: true), Ids(topic, 3, 4, held: true), Ids(topic, 5, 6, held: true),
            Ids(topic, 7, 7), Ids(topic, 8, 9, held: true), Ids(topic, 12, 12, held: true), Ids(topic, 13, 15, held: true));
        Assert.Equal([new StoredRange(1, 6, 6), new StoredRange(8, 9, 2), new StoredRange(12, 15, 4)],
            await Store.ReadHeldRangesAsync(topic));

        await CommitAsync(new LogWrite.ReleaseHeld(topic, 4), Cursor(topic, "c", 0));

        Assert.Equal([new StoredRange(5, 6, 2), new StoredRange(8, 9, 2), new StoredRange(12, 15, 4)],
            await Store.ReadHeldRangesAsync(topic));
        Assert.Empty(await Store.ReadHeldRangesAsync(NewTopic()));
    }

    [StoreFact]
    public async Task Topics_are_kept_apart_and_an_unknown_topic_has_nothing()
    {
        var (a, b) = (NewTopic(), NewTopic());
        await CommitAsync(Batch(a, 1, ["a1"]), Batch(b, 1, ["b1", "b2"]), Batch(a, 2, ["a2"]));

        Assert.Equal(["1-1", "2-2"], await StoredRangesAsync(a));
        Assert.Equal(["b1", "b2"], Bodies(Assert.Single(await Store.ReadBatchesAsync(b, 0, int.MaxValue))));
        Assert.Empty(await Store.ReadBatchesAsync(NewTopic(), 0, int.MaxValue));
    }

    [StoreFact]
    public async Task A_large_batch_keeps_every_byte()
    {
        var topic = NewTopic();
        var body = new byte[1 << 20];
        new Random(7).NextBytes(body);
        await CommitAsync(new LogWrite.AppendBatch(topic, 1, 2, 1, 0, false, body, new[] { 1000, body.Length }));

        var batch = Assert.Single(await Store.ReadBatchesAsync(topic, 0, int.MaxValue));

        Assert.Equal(body, batch.Data);
        Assert.Equal([1000, body.Length], batch.Ends);
    }

    [StoreFact]
    public async Task An_empty_commit_writes_nothing_and_succeeds()
    {
        await Store.CommitAsync([]);
    }

    [StoreFact]
    public async Task ReadLastId_is_zero_for_an_unknown_topic_and_the_highest_stored_id_otherwise()
    {
        var topic = NewTopic();
        Assert.Equal(0, await Store.ReadLastIdAsync(topic));

        await CommitAsync(Ids(topic, 10, 12), Ids(topic, 1, 4));

        Assert.Equal(12, await Store.ReadLastIdAsync(topic));
        Assert.Equal(0, await Store.ReadLastIdAsync(NewTopic()));
    }

    [StoreFact]
    public async Task ReadLastId_stays_at_the_highest_id_after_the_batches_holding_it_are_deleted()
    {
        // A new activation numbers its messages above ReadLastId; were it to fall back to 0 once every batch is
        // consumed, new ids would be at or below the cursors' low water, and the channels would skip them.
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 5), Cursor(topic, "c", lowWater: 0));
        await CommitAsync(Cursor(topic, "c", lowWater: 5));

        Assert.Empty(await StoredRangesAsync(topic));
        Assert.Equal(5, await Store.ReadLastIdAsync(topic));
    }

    // --- cursors ---

    [StoreFact]
    public async Task A_saved_cursor_reads_back_with_its_pending_ranges_in_order()
    {
        var topic = NewTopic();
        PendingRange[] pending = [new(3, 3, 0), new(5, 9, 1_800_000_000_123), new(12, 12, 0)];

        await CommitAsync(Cursor(topic, "c", lowWater: 2, receivedThrough: 12, pending));
        var cursor = await Store.ReadCursorAsync(topic, "c");

        Assert.NotNull(cursor);
        Assert.Equal((2L, 12L), (cursor.LowWater, cursor.ReceivedThroughId));
        Assert.Equal(pending, cursor.Pending);
    }

    [StoreFact]
    public async Task A_cursor_with_many_pending_ranges_reads_back_whole()
    {
        var topic = NewTopic();
        var pending = Enumerable.Range(0, 10_000).Select(i => new PendingRange(10L * i + 1, 10L * i + 5, i % 3 == 0 ? 0 : 1_800_000_000_000 + i)).ToArray();

        await CommitAsync(Cursor(topic, "c", 0, 100_000, pending));

        Assert.Equal(pending, (await Store.ReadCursorAsync(topic, "c"))!.Pending);
    }

    [StoreFact]
    public async Task A_cursor_never_saved_reads_as_null_and_channels_are_kept_apart()
    {
        var topic = NewTopic();
        await CommitAsync(Cursor(topic, "a", 1), Cursor(topic, "b", 2));

        Assert.Null(await Store.ReadCursorAsync(topic, "never"));
        Assert.Null(await Store.ReadCursorAsync(NewTopic(), "a"));
        Assert.Equal(1, (await Store.ReadCursorAsync(topic, "a"))!.LowWater);
        Assert.Equal(2, (await Store.ReadCursorAsync(topic, "b"))!.LowWater);
    }

    [StoreFact]
    public async Task Saving_a_cursor_again_replaces_it_whole()
    {
        var topic = NewTopic();
        await CommitAsync(Cursor(topic, "c", 1, 9, new PendingRange(2, 9, 0)));

        await CommitAsync(Cursor(topic, "c", 9, 9));
        var cursor = await Store.ReadCursorAsync(topic, "c");

        Assert.Equal((9L, 9L), (cursor!.LowWater, cursor.ReceivedThroughId));
        Assert.Empty(cursor.Pending);
    }

    [StoreFact]
    public async Task A_deleted_cursor_reads_as_null_and_the_other_channels_keep_theirs()
    {
        var topic = NewTopic();
        await CommitAsync(Cursor(topic, "gone", 1), Cursor(topic, "kept", 1));

        await CommitAsync(new LogWrite.DeleteCursor(topic, "gone"));

        Assert.Null(await Store.ReadCursorAsync(topic, "gone"));
        Assert.NotNull(await Store.ReadCursorAsync(topic, "kept"));
    }

    [StoreFact]
    public async Task The_writes_of_a_commit_apply_in_their_order()
    {
        var topic = NewTopic();

        await CommitAsync(Cursor(topic, "saved-then-deleted", 1), new LogWrite.DeleteCursor(topic, "saved-then-deleted"),
            new LogWrite.DeleteCursor(topic, "deleted-then-saved"), Cursor(topic, "deleted-then-saved", 2),
            Cursor(topic, "saved-twice", 3), Cursor(topic, "saved-twice", 4));

        Assert.Null(await Store.ReadCursorAsync(topic, "saved-then-deleted"));
        Assert.Equal(2, (await Store.ReadCursorAsync(topic, "deleted-then-saved"))!.LowWater);
        Assert.Equal(4, (await Store.ReadCursorAsync(topic, "saved-twice"))!.LowWater);
    }

    // --- the GC rule (LogWrite.SaveCursor) ---

    [StoreFact]
    public async Task Batches_every_cursor_has_passed_are_deleted_and_the_others_kept()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2), Ids(topic, 3, 5), Ids(topic, 6, 7), Cursor(topic, "a", 0), Cursor(topic, "b", 0));

        await CommitAsync(Cursor(topic, "a", 7), Cursor(topic, "b", 2));
        Assert.Equal(["3-5", "6-7"], await StoredRangesAsync(topic)); // 1-2 ends at b's low water: gone

        await CommitAsync(Cursor(topic, "b", 4));
        Assert.Equal(["3-5", "6-7"], await StoredRangesAsync(topic)); // b is inside 3-5: it stays whole

        await CommitAsync(Cursor(topic, "b", 5));
        Assert.Equal(["6-7"], await StoredRangesAsync(topic));
    }

    [StoreFact]
    public async Task Deleting_a_lagging_cursor_frees_the_batches_only_it_held()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2), Ids(topic, 3, 4), Cursor(topic, "fast", 4), Cursor(topic, "slow", 0));
        Assert.Equal(["1-2", "3-4"], await StoredRangesAsync(topic));

        await CommitAsync(new LogWrite.DeleteCursor(topic, "slow"));

        Assert.Empty(await StoredRangesAsync(topic));
    }

    [StoreFact]
    public async Task Deleting_the_last_cursor_deletes_the_unheld_batches_and_keeps_the_held_ones()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2), Cursor(topic, "only", 0));
        await CommitAsync(Ids(topic, 3, 4, held: true));

        await CommitAsync(new LogWrite.DeleteCursor(topic, "only"));

        Assert.Equal(["3-4"], await StoredRangesAsync(topic));
    }

    [StoreFact]
    public async Task Appends_alone_delete_nothing_even_without_cursors()
    {
        var topic = NewTopic();

        await CommitAsync(Ids(topic, 1, 2));
        await CommitAsync(Ids(topic, 3, 4, held: true));

        Assert.Equal(["1-2", "3-4"], await StoredRangesAsync(topic));
    }

    [StoreFact]
    public async Task Cursor_writes_of_one_topic_leave_other_topics_batches_alone()
    {
        var (mine, other) = (NewTopic(), NewTopic());
        await CommitAsync(Ids(mine, 1, 2), Ids(other, 1, 2), Cursor(other, "c", 0));

        await CommitAsync(Cursor(mine, "c", 2));

        Assert.Empty(await StoredRangesAsync(mine));
        Assert.Equal(["1-2"], await StoredRangesAsync(other));
    }

    [StoreFact]
    public async Task Held_batches_stay_until_released_through_and_every_cursor_cover_them()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2, held: true), Ids(topic, 3, 4, held: true), Ids(topic, 5, 6, held: true));

        await CommitAsync(Cursor(topic, "c", 6)); // the channel is past them, the topic still holds them
        Assert.Equal(["1-2", "3-4", "5-6"], await StoredRangesAsync(topic));

        await CommitAsync(new LogWrite.ReleaseHeld(topic, 4));
        Assert.Equal(["5-6"], await StoredRangesAsync(topic));
        Assert.Equal(4, await Store.ReadReleasedThroughAsync(topic));
    }

    [StoreFact]
    public async Task Released_batches_stay_while_a_channel_has_not_passed_them()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2, held: true), Ids(topic, 3, 4, held: true), Cursor(topic, "c", 0));

        await CommitAsync(new LogWrite.ReleaseHeld(topic, 4));
        Assert.Equal(["1-2", "3-4"], await StoredRangesAsync(topic));

        await CommitAsync(Cursor(topic, "c", 2));
        Assert.Equal(["3-4"], await StoredRangesAsync(topic));
    }

    [StoreFact]
    public async Task ReadReleasedThrough_is_zero_until_written_then_the_highest_value_written()
    {
        var topic = NewTopic();
        Assert.Equal(0, await Store.ReadReleasedThroughAsync(topic));

        await CommitAsync(new LogWrite.ReleaseHeld(topic, 4));
        await CommitAsync(new LogWrite.ReleaseHeld(topic, 9));
        await CommitAsync(new LogWrite.ReleaseHeld(topic, 6));

        Assert.Equal(9, await Store.ReadReleasedThroughAsync(topic));
        Assert.Equal(0, await Store.ReadReleasedThroughAsync(NewTopic()));
    }

    [StoreFact]
    public async Task DropHeld_deletes_the_held_batches_up_to_its_id_and_keeps_the_later_ones()
    {
        var topic = NewTopic();
        await CommitAsync(Ids(topic, 1, 2, held: true), Ids(topic, 3, 4, held: true), Ids(topic, 5, 6, held: true));

        await CommitAsync(new LogWrite.DropHeld(topic, 4));

        Assert.Equal(["5-6"], await StoredRangesAsync(topic));
        Assert.Equal(0, await Store.ReadReleasedThroughAsync(topic));
    }

    // --- DeleteTopic ---

    [StoreFact]
    public async Task DeleteTopic_removes_its_batches_cursors_and_released_mark_and_nothing_of_other_topics()
    {
        var (gone, kept) = (NewTopic(), NewTopic());
        await CommitAsync(Ids(gone, 1, 2), Ids(gone, 3, 4, held: true), Cursor(gone, "c", 0), new LogWrite.ReleaseHeld(gone, 2),
            Ids(kept, 1, 2), Cursor(kept, "c", 0), new LogWrite.ReleaseHeld(kept, 1));

        await CommitAsync(new LogWrite.DeleteTopic(gone));

        Assert.Empty(await Store.ReadBatchesAsync(gone, 0, int.MaxValue));
        Assert.Null(await Store.ReadCursorAsync(gone, "c"));
        Assert.Equal(0, await Store.ReadReleasedThroughAsync(gone));
        Assert.Equal(0, await Store.ReadLastIdAsync(gone));
        Assert.Equal(["1-2"], await StoredRangesAsync(kept));
        Assert.NotNull(await Store.ReadCursorAsync(kept, "c"));
        Assert.Equal(1, await Store.ReadReleasedThroughAsync(kept));
    }

    // --- atomicity ---

    [StoreFact]
    public async Task A_batch_appended_again_is_stored_once()
    {
        // The message log tries a failed commit's writes again; after an unknown outcome (a dropped connection)
        // they may already be there.
        var topic = NewTopic();
        await Store.CommitAsync([Ids(topic, 1, 2)]);

        await Store.CommitAsync([Ids(topic, 1, 2), Ids(topic, 3, 3)]);

        Assert.Equal(["1-2", "3-3"], (await Store.ReadBatchesAsync(topic, 0, int.MaxValue)).Select(b => $"{b.FirstId}-{b.LastId}"));
    }

    [StoreFact]
    public async Task A_failed_commit_leaves_nothing_of_its_writes()
    {
        var (topic, poisoned) = (NewTopic(), NewTopic());
        await CommitAsync(Ids(topic, 1, 2), Cursor(topic, "c", 0), Ids(topic, 3, 4, held: true));
        await FailAppendsToAsync(poisoned);

        // The last write fails in the storage: the whole commit must fail, every earlier write undone with it.
        await Assert.ThrowsAnyAsync<Exception>(() => CommitAsync(
            Ids(topic, 5, 6), Cursor(topic, "c", 2), Cursor(topic, "new", 0), new LogWrite.ReleaseHeld(topic, 4),
            new LogWrite.DeleteCursor(topic, "c"), new LogWrite.DeleteTopic(NewTopic()), Ids(poisoned, 1, 1)));

        Assert.Equal(["1-2", "3-4"], await StoredRangesAsync(topic));
        Assert.Equal(0, (await Store.ReadCursorAsync(topic, "c"))!.LowWater);
        Assert.Null(await Store.ReadCursorAsync(topic, "new"));
        Assert.Equal(0, await Store.ReadReleasedThroughAsync(topic));
        Assert.Equal(4, await Store.ReadLastIdAsync(topic));
        Assert.Empty(await StoredRangesAsync(poisoned));
    }
}
