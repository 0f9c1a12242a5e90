using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansNsq.Client.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>Spans and metrics, with the trace context carried through a Silo in the body's envelope.</summary>
[Collection(SilosCollection.Name)]
public sealed class TracingTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    [Fact]
    public async Task One_trace_runs_from_the_publisher_through_the_Silo_to_the_handler()
    {
        var (topic, channel) = (Unique("traced"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        using var app = new ActivitySource("OrleansNsq.Client.Tests.App");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClientTelemetry.Name || source.Name == app.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var measured = new ConcurrentQueue<(string Instrument, double Value)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ClientTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        meters.Start();
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "messaging.destination.name" && (string?)tag.Value == topic)
                {
                    measured.Enqueue((instrument.Name, value));
                }
            }
        }

        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = Silos.A.TcpAddress, ConnectionCount = 1, TraceContextEnvelope = true });
        ActivityTraceId trace;
        using (var checkout = app.StartActivity("checkout"))
        {
            trace = checkout!.TraceId;
            await producer.PublishAsync(topic, Bytes("order-1"));
            Assert.Same(checkout, Activity.Current); // the publish span did not stay current in the caller
        }

        var handled = new TaskCompletionSource<(string Body, ActivityTraceId Trace, ActivitySpanId Parent, string Name)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], TraceContextEnvelope = true },
            (m, _) =>
            {
                var current = Activity.Current!;
                handled.TrySetResult((Text(m.Body), current.TraceId, current.ParentSpanId, current.OperationName));
                return Task.CompletedTask;
            },
            new TestOutputLogger<NsqConsumer>(Output));
        await consumer.StartAsync();

        var (body, handlerTrace, handlerParent, handlerSpan) = await BoundedWait.ForAsync(handled.Task, "the traced message handled", Wait);
        Assert.Equal("order-1", body); // the envelope was read and taken off
        Assert.Equal(trace, handlerTrace);
        Assert.Equal($"process {topic}", handlerSpan);
        var publish = Assert.Single(spans, s => s.TraceId == trace && s.OperationName == $"publish {topic}");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(handlerParent, publish.SpanId);
        Assert.Equal("nsq", publish.GetTagItem("messaging.system"));
        Assert.Equal("PUB", publish.GetTagItem("messaging.operation.name"));

        await BoundedWait.UntilAsync("process span ended", "a process span in the trace", Wait,
            () => Task.FromResult((spans.Any(s => s.TraceId == trace && s.OperationName == $"process {topic}"), $"{spans.Count} spans")));
        var process = spans.Single(s => s.TraceId == trace && s.OperationName == $"process {topic}");
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(channel, process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(1, process.GetTagItem("nsq.message.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, process.Status);

        Assert.Equal(1, measured.Where(m => m.Instrument == "messaging.client.sent.messages").Sum(m => m.Value));
        Assert.Single(measured, m => m.Instrument == "messaging.client.operation.duration");
        Assert.Equal(1, measured.Where(m => m.Instrument == "messaging.client.consumed.messages").Sum(m => m.Value));
        Assert.Single(measured, m => m.Instrument == "messaging.process.duration");
    }

    [Fact]
    public void Envelope_round_trips_the_context_and_leaves_other_bodies_whole()
    {
        var context = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=a:1,other=b");
        var wrapped = TraceEnvelope.Wrap(Bytes("{\"id\":1}"), context);

        Assert.Equal($"\u001Etp1 00-{context.TraceId}-{context.SpanId}-01 vendor=a:1,other=b\n{{\"id\":1}}", Text(wrapped));
        Assert.True(TraceEnvelope.TryRead(wrapped.Span, out var read, out var headerLength));
        Assert.Equal(context.TraceId, read.TraceId);
        Assert.Equal(context.SpanId, read.SpanId);
        Assert.Equal("vendor=a:1,other=b", read.TraceState);
        Assert.True(read.IsRemote);
        Assert.Equal("{\"id\":1}", Text(wrapped[headerLength..]));

        Assert.False(TraceEnvelope.TryRead(Bytes("{\"id\":1}").Span, out _, out var none));
        Assert.Equal(0, none);
        Assert.False(TraceEnvelope.TryRead(Bytes("\u001Etp1 00-not-a-trace\nbody").Span, out _, out _));
        Assert.Equal("plain", Text(TraceEnvelope.Wrap(Bytes("plain"), default)));
    }
}
