using Microsoft.Extensions.Logging.Abstractions;
using OrleansNsq.Messages;

namespace OrleansNsq.Consumers.Tests;

/// <summary>This process's side of a channel against a scripted channel grain and a fake clock: how the pump spreads
/// leases over its holders, answers FIN/REQ/TOUCH as nsqd does, batches settlements, frees expired slots, retries
/// pulls, and stops. Each rule is one test.</summary>
public sealed class ChannelPumpTests
{
    private const long LeaseMs = 60_000;

    private readonly ScriptedChannel _channel = new();
    private readonly SignallingTime _time = new();

    private ChannelPump NewPump(PumpSettings? settings = null, Func<Task>? onEphemeralUnused = null, Func<Task>? resubscribe = null) =>
        new(_channel, "t", "c", settings ?? new PumpSettings(), onEphemeralUnused, _time, NullLogger.Instance, resubscribe);

    private static HeldLeases Join(ChannelPump pump, ILeaseHolder holder) =>
        pump.TryAdd(holder) ?? throw new InvalidOperationException("the pump refused a holder");

    private static Settlement Fin(long id) => new(id, PendingPull.Token, SettlementKind.Finish);

    private static Settlement Release(long id) => new(id, PendingPull.Token, SettlementKind.Release);

    [Fact]
    public async Task Pump_pulls_for_the_summed_free_RDY_and_deals_the_batch_round_robin()
    {
        var pump = NewPump();
        TestHolder a = new(2), b = new(2);
        HeldLeases leasesA = Join(pump, a), leasesB = Join(pump, b);
        pump.Start();

        var pull = await _channel.NextPullAsync("pull for RDY 2 + 2");
        pull.Lease(_time.NowMs + LeaseMs, 1, 2, 3, 4);
        await a.NextDeliveryAsync("a's first");
        await a.NextDeliveryAsync("a's second");
        await b.NextDeliveryAsync("b's first");
        await b.NextDeliveryAsync("b's second");

        Assert.Equal(4, pull.Request.MaxCount);
        Assert.Equal([1L, 3L], a.Delivered);
        Assert.Equal([2L, 4L], b.Delivered);
        Assert.Equal((2, 2L, 2, 2L), (leasesA.InFlightCount, leasesA.MessageCount, leasesB.InFlightCount, leasesB.MessageCount));
    }

    [Fact]
    public async Task Message_leased_when_no_holder_has_room_goes_back_to_the_channel_at_once()
    {
        var pump = NewPump();
        var holder = new TestHolder(1);
        var leases = Join(pump, holder);
        pump.Start();
        var pull = await _channel.NextPullAsync("pull for RDY 1");

        holder.Ready = 0; // RDY 0 while the pull was out
        pull.Lease(_time.NowMs + LeaseMs, 7);

        Assert.Equal([Release(7)], await _channel.NextSettleAsync("release of the message nobody has room for"));
        Assert.Empty(holder.Delivered);
        Assert.Equal(0, leases.InFlightCount);
    }

    [Fact]
    public async Task Sampled_out_message_is_finished_and_never_delivered()
    {
        var pump = NewPump();
        var holder = new TestHolder(1) { SampleOut = true };
        Join(pump, holder);
        pump.Start();

        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + LeaseMs, 8);

        Assert.Equal([Fin(8)], await _channel.NextSettleAsync("FIN of the sampled-out message"));
        Assert.Empty(holder.Delivered);
    }

    [Fact]
    public async Task Fin_Req_Touch_of_another_holders_message_is_NotOwner_and_of_an_unknown_id_NotInFlight()
    {
        var pump = NewPump();
        TestHolder a = new(1), b = new(1);
        HeldLeases leasesA = Join(pump, a), leasesB = Join(pump, b);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + LeaseMs, 1, 2);
        await a.NextDeliveryAsync("a's message");
        await b.NextDeliveryAsync("b's message");

        Assert.Equal(SettleResult.NotOwner, leasesB.Fin(1));
        Assert.Equal(SettleResult.NotOwner, leasesB.Req(1, 0));
        Assert.Equal(SettleResult.NotOwner, leasesB.Touch(1));
        Assert.Equal(SettleResult.NotInFlight, leasesA.Fin(99));
        Assert.Equal(SettleResult.Ok, leasesA.Fin(1));
        Assert.Equal(SettleResult.NotInFlight, leasesA.Fin(1));
        Assert.Equal((0, 1), (leasesA.InFlightCount, leasesB.InFlightCount));
    }

    [Fact]
    public async Task Touch_extends_by_the_msg_timeout_but_never_past_delivery_plus_max_msg_timeout()
    {
        var pump = NewPump(new PumpSettings { MaxMsgTimeoutMs = 3_000 });
        var holder = new TestHolder(1, msgTimeoutMs: 2_000);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + 2_000, 5);
        await holder.NextDeliveryAsync("delivery");

        _time.Advance(TimeSpan.FromMilliseconds(1_500));
        Assert.Equal(SettleResult.Ok, leases.Touch(5)); // deadline 3,000 after delivery, not 3,500
        _time.Advance(TimeSpan.FromMilliseconds(1_400));
        Assert.Equal(SettleResult.Ok, leases.Touch(5)); // still 3,000, not 4,900
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(SettleResult.NotInFlight, leases.Touch(5));
        Assert.Equal(0, leases.InFlightCount);
        pump.FlushSettlements();
        Assert.Equal([new Settlement(5, PendingPull.Token, SettlementKind.Touch, 2_000), new Settlement(5, PendingPull.Token, SettlementKind.Touch, 2_000)],
            await _channel.NextSettleAsync("the two TOUCHes"));
    }

    [Fact]
    public async Task Touch_with_the_node_default_msg_timeout_extends_by_the_lease_the_channel_granted()
    {
        var pump = NewPump();
        var holder = new TestHolder(1, msgTimeoutMs: 0);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + 5_000, 6);
        await holder.NextDeliveryAsync("delivery");

        _time.Advance(TimeSpan.FromMilliseconds(4_000));
        Assert.Equal(SettleResult.Ok, leases.Touch(6));
        _time.Advance(TimeSpan.FromMilliseconds(4_900));
        Assert.Equal(1, leases.InFlightCount); // 5,000 from the TOUCH, not the original 5,000 from delivery
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(0, leases.InFlightCount);
    }

    [Fact]
    public async Task Expired_lease_frees_the_holders_slot_and_the_pump_pulls_again()
    {
        var pump = NewPump();
        var holder = new TestHolder(1);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("first pull")).Lease(_time.NowMs + 1_000, 9);
        await holder.NextDeliveryAsync("delivery");
        Assert.Equal(1, leases.InFlightCount);

        _time.Advance(TimeSpan.FromMilliseconds(1_000));

        var again = await _channel.NextPullAsync("pull once the lease scan freed the slot");
        Assert.Equal(1, again.Request.MaxCount);
        Assert.Equal(0, leases.InFlightCount);
        Assert.Equal(SettleResult.NotInFlight, leases.Fin(9));
    }

    [Fact]
    public async Task Settlements_made_while_a_settle_call_is_out_go_together_in_the_next_call()
    {
        var pump = NewPump();
        var holder = new TestHolder(3);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + LeaseMs, 1, 2, 3);
        for (var i = 0; i < 3; i++) await holder.NextDeliveryAsync($"delivery {i}");
        var gate = new TaskCompletionSource();
        _channel.SettleGate = gate.Task;

        Assert.Equal(SettleResult.Ok, leases.Fin(1));
        pump.FlushSettlements();
        Assert.Equal([Fin(1)], await _channel.NextSettleAsync("first settle call"));
        Assert.Equal(SettleResult.Ok, leases.Fin(2));
        Assert.Equal(SettleResult.Ok, leases.Req(3, 500));
        pump.FlushSettlements();
        var flushed = pump.FlushAsync();
        Assert.False(_channel.HasSettle, "a second settle call went out while the first was still out");
        gate.SetResult();

        Assert.Equal([Fin(2), new Settlement(3, PendingPull.Token, SettlementKind.Requeue, 500)], await _channel.NextSettleAsync("second settle call"));
        await ScriptedChannel.Within(flushed.ContinueWith(_ => true), "FlushAsync after the second call");
    }

    [Fact]
    public async Task Failed_pull_is_retried_after_the_retry_delay()
    {
        var retryDelay = TimeSpan.FromSeconds(5);
        var pump = NewPump(new PumpSettings { RetryDelay = retryDelay });
        Join(pump, new TestHolder(1));
        pump.Start();
        var first = await _channel.NextPullAsync("first pull");

        first.Answer.SetException(new InvalidOperationException("the channel's silo is restarting"));
        await _time.TimerArmedAsync(retryDelay, "retry delay armed");
        Assert.False(_channel.HasPull, "pulled again before the retry delay");
        _time.Advance(retryDelay);

        var second = await _channel.NextPullAsync("pull after the retry delay");
        Assert.Equal(1, second.Request.MaxCount);
    }

    [Fact]
    public async Task Deleted_channel_closes_every_holder_and_the_pump_takes_no_new_one()
    {
        var pump = NewPump();
        TestHolder a = new(1), b = new(1);
        Join(pump, a);
        Join(pump, b);
        pump.Start();

        (await _channel.NextPullAsync("pull")).Answer.SetResult(DeliveryBatch.Deleted);

        await ScriptedChannel.Within(Task.WhenAll(a.Deleted, b.Deleted).ContinueWith(_ => true), "both holders told");
        Assert.Null(pump.TryAdd(new TestHolder(1)));
    }

    [Fact]
    public async Task Stop_cancels_the_pull_releases_a_batch_that_still_arrives_and_reports_zero()
    {
        var pump = NewPump();
        var holder = new TestHolder(2);
        var leases = Join(pump, holder);
        Assert.Equal(1, await _channel.NextReportAsync("count after the join"));
        pump.Start();
        var pull = await _channel.NextPullAsync("pull");

        Assert.Equal(0, pump.Remove(leases));
        var stopping = pump.StopAsync();
        Assert.Equal(pump.Id, await _channel.NextCancelAsync("CancelPull on stop"));
        pull.Lease(_time.NowMs + LeaseMs, 11, 12);

        Assert.Equal([Release(11), Release(12)], await _channel.NextSettleAsync("release of the late batch"));
        Assert.Equal(0, await _channel.NextReportAsync("count after stop"));
        await ScriptedChannel.Within(stopping.ContinueWith(_ => true), "stop");
        Assert.Empty(holder.Delivered);
    }

    [Fact]
    public async Task Holder_count_is_repeated_every_report_interval_as_a_heartbeat()
    {
        var pump = NewPump(new PumpSettings { ReportInterval = TimeSpan.FromSeconds(30) });
        Join(pump, new TestHolder(0));
        Assert.Equal(1, await _channel.NextReportAsync("count after the join"));
        pump.Start();

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1, await _channel.NextReportAsync("repeated count"));
    }

    [Fact]
    public async Task Channel_answering_ephemeral_and_unused_to_the_last_report_calls_the_owners_hook()
    {
        var unused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = NewPump(onEphemeralUnused: () =>
        {
            unused.TrySetResult();
            return Task.CompletedTask;
        });
        _channel.EphemeralUnused = true;
        var leases = Join(pump, new TestHolder(0));
        Assert.Equal(1, await _channel.NextReportAsync("count after the join"));
        pump.Start();

        pump.Remove(leases);
        await pump.StopAsync();

        Assert.True(unused.Task.IsCompleted, "the hook was not called by the time StopAsync ended");
    }

    [Fact]
    public async Task Settlement_the_channel_refuses_is_told_to_the_holder_that_made_it()
    {
        var pump = NewPump();
        var holder = new TestHolder(2);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + LeaseMs, 5, 6);
        await holder.NextDeliveryAsync("5");
        await holder.NextDeliveryAsync("6");
        _channel.Forgotten.Add(5); // its lease ended in the channel (a failover) while the pump still held it

        Assert.Equal(SettleResult.Ok, leases.Fin(5));
        Assert.Equal(SettleResult.Ok, leases.Fin(6));
        pump.FlushSettlements();

        Assert.Equal([Fin(5), Fin(6)], await _channel.NextSettleAsync("the two FINs"));
        Assert.Equal((5L, SettlementKind.Finish), await ScriptedChannel.Within(holder.Refused.Reader.ReadAsync().AsTask(), "FIN 5 refused"));
        Assert.False(holder.Refused.Reader.TryRead(out _), "FIN 6 was applied");
    }

    [Fact]
    public async Task Touch_the_channel_refuses_frees_the_holders_slot()
    {
        var pump = NewPump();
        var holder = new TestHolder(1);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("pull")).Lease(_time.NowMs + LeaseMs, 5);
        await holder.NextDeliveryAsync("5");
        _channel.Forgotten.Add(5);

        Assert.Equal(SettleResult.Ok, leases.Touch(5));
        pump.FlushSettlements();

        Assert.Equal((5L, SettlementKind.Touch), await ScriptedChannel.Within(holder.Refused.Reader.ReadAsync().AsTask(), "TOUCH 5 refused"));
        Assert.Equal(0, leases.InFlightCount);
        Assert.Equal(SettleResult.NotInFlight, leases.Fin(5));
        await _channel.NextPullAsync("the freed slot pulls again");
    }

    [Fact]
    public async Task Settling_an_earlier_delivery_of_an_id_delivered_again_is_NotInFlight()
    {
        var pump = NewPump();
        var holder = new TestHolder(2);
        var leases = Join(pump, holder);
        pump.Start();
        (await _channel.NextPullAsync("first pull")).LeaseWithToken(_time.NowMs + LeaseMs, 10, 5);
        await holder.NextDeliveryAsync("first delivery of 5");
        (await _channel.NextPullAsync("second pull")).LeaseWithToken(_time.NowMs + LeaseMs, 11, 5);
        await holder.NextDeliveryAsync("second delivery of 5");

        Assert.Equal(SettleResult.NotInFlight, leases.Fin(5, leaseToken: 10));
        Assert.Equal(SettleResult.NotInFlight, leases.Touch(5, leaseToken: 10));
        Assert.Equal(1, leases.InFlightCount);
        Assert.Equal(SettleResult.Ok, leases.Fin(5, leaseToken: 11));
        pump.FlushSettlements();

        Assert.Equal([new Settlement(5, 11, SettlementKind.Finish)], await _channel.NextSettleAsync("the FIN of the second delivery"));
    }

    [Fact]
    public async Task Unknown_channel_without_a_resubscriber_closes_the_holders_as_a_deletion_does()
    {
        var pump = NewPump();
        var holder = new TestHolder(1);
        Join(pump, holder);
        pump.Start();

        (await _channel.NextPullAsync("pull")).Answer.SetResult(DeliveryBatch.Unknown);

        await ScriptedChannel.Within(holder.Deleted.ContinueWith(_ => true), "the holder closed (its NSQ client SUBs again)");
    }

    [Fact]
    public async Task Unknown_channel_with_a_resubscriber_is_subscribed_again_and_its_leases_are_dropped()
    {
        var resubscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = NewPump(resubscribe: () =>
        {
            resubscribed.TrySetResult();
            return Task.CompletedTask;
        });
        var holder = new TestHolder(2);
        var leases = Join(pump, holder);
        Assert.Equal(1, await _channel.NextReportAsync("count after the join"));
        pump.Start();
        (await _channel.NextPullAsync("first pull")).Lease(_time.NowMs + LeaseMs, 5);
        await holder.NextDeliveryAsync("5, from the channel that will be lost");

        (await _channel.NextPullAsync("second pull")).Answer.SetResult(DeliveryBatch.Unknown);

        await ScriptedChannel.Within(resubscribed.Task.ContinueWith(_ => true), "SUB again");
        Assert.Equal(1, await _channel.NextReportAsync("the holder count, reported to the recreated channel"));
        var third = await _channel.NextPullAsync("pull of the recreated channel, for the whole RDY");
        Assert.Equal(2, third.Request.MaxCount);
        Assert.Equal((1L, 0), (pump.Resubscriptions, leases.InFlightCount));
        Assert.Equal(SettleResult.NotInFlight, leases.Fin(5));
        Assert.False(holder.Deleted.IsCompleted, "the holder was not closed");
    }
}
