using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.NsqToHttp;

/// <summary>nsq_to_http as a process against a real Silo and Kestrel endpoints on 127.0.0.1:0.</summary>
public sealed class NsqToHttpTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private const string Channel = "nsq_to_http";

    [Fact]
    public async Task Nsq_to_http_posts_every_message_once_with_its_body_content_type_and_headers_then_fins_it()
    {
        var topic = await TopicWithChannelAsync();
        var bodies = Enumerable.Range(0, 50).Select(i => $"message {i} é").ToArray();
        await Http.MpubAsync(topic, bodies);
        await using var endpoint = await RecordingHttpEndpoint.StartAsync();

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--post", endpoint.Address + "/in", "--content-type", "text/plain; charset=utf-8", "--header", "X-Trace: abc",
            "--header", "Authorization: Bearer t0k", "--status-every", "25");
        await endpoint.WaitForCountAsync(50, "all messages posted", RelayRun.Timeout, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        var requests = endpoint.Requests;
        Assert.Equal(bodies.Order(StringComparer.Ordinal), requests.Select(r => r.BodyText).Order(StringComparer.Ordinal));
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/in", r.PathAndQuery);
            Assert.Equal("text/plain; charset=utf-8", r.ContentType);
            Assert.Equal("abc", r.Headers["X-Trace"]);
            Assert.Equal("Bearer t0k", r.Headers["Authorization"]);
        });
        Assert.Contains("nsq_to_http: 50 requests succeeded, 0 failed", tool.Stderr);
        Assert.Contains("[aggregate]: finished 25 requests", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_post_uses_application_octet_stream_by_default()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "raw");
        await using var endpoint = await RecordingHttpEndpoint.StartAsync();

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address);
        await endpoint.WaitForCountAsync(1, "message posted", RelayRun.Timeout, tool.Describe);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal("application/octet-stream", endpoint.Requests.Single().ContentType);
    }

    [Fact]
    public async Task Nsq_to_http_get_puts_the_query_escaped_body_in_place_of_percent_s()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "a b&c=d/é~");
        await using var endpoint = await RecordingHttpEndpoint.StartAsync();

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--lookupd-http-address", Silo.LookupdHttpAddress,
            "--get", endpoint.Address + "/hook?msg=%s&x=1");
        await endpoint.WaitForCountAsync(1, "GET made", RelayRun.Timeout, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        var request = endpoint.Requests.Single();
        Assert.Equal("GET", request.Method);
        // Go's url.QueryEscape: space as '+', UTF-8 bytes as upper-case %XX, '~' kept
        Assert.Equal("/hook?msg=a+b%26c%3Dd%2F%C3%A9~&x=1", request.PathAndQuery);
        Assert.Empty(request.Body);
    }

    [Fact]
    public async Task Nsq_to_http_requeues_a_message_answered_500_until_the_endpoint_answers_200()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "retry me");
        await using var endpoint = await RecordingHttpEndpoint.StartAsync((_, number) => Task.FromResult(number < 3 ? 500 : 200));

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address);
        await endpoint.WaitForCountAsync(3, "two 500s, then 200", RelayRun.Timeout, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(["retry me", "retry me", "retry me"], endpoint.Requests.Select(r => r.BodyText));
        var stats = await Http.StatsAsync(topic);
        Assert.Equal(2, stats.Channel(topic, Channel)!.Value.GetProperty("requeue_count").GetInt64());
        Assert.Contains("got status code 500", tool.Stderr);
        Assert.Contains("1 requests succeeded, 2 failed", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_post_takes_any_2xx_as_success()
    {
        var topic = await TopicWithChannelAsync();
        await Http.MpubAsync(topic, ["a", "b"]);
        await using var endpoint = await RecordingHttpEndpoint.StartAsync((_, number) => Task.FromResult(number == 1 ? 201 : 204));

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(2, endpoint.Requests.Count);
        Assert.Contains("2 requests succeeded, 0 failed", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_get_requeues_unless_the_answer_is_exactly_200_as_nsq_does()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "g");
        await using var endpoint = await RecordingHttpEndpoint.StartAsync((_, number) => Task.FromResult(number == 1 ? 204 : 200));

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--get", endpoint.Address + "/?m=%s");
        await endpoint.WaitForCountAsync(2, "204, then 200", RelayRun.Timeout, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Contains("got status code 204", tool.Stderr);
        Assert.Contains("1 requests succeeded, 1 failed", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_requeues_a_message_whose_request_times_out()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "slow");
        await using var endpoint = await RecordingHttpEndpoint.StartAsync(async (_, number) =>
        {
            if (number == 1) await Task.Delay(TimeSpan.FromSeconds(3)); // past --http-client-request-timeout
            return 200;
        });

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address,
            "--http-client-request-timeout", "500ms");
        await endpoint.WaitForCountAsync(2, "timed out, then answered", RelayRun.Timeout, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Contains("timed out after 0.5s", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_round_robin_spreads_the_messages_evenly_over_two_urls()
    {
        var topic = await TopicWithChannelAsync();
        await Http.MpubAsync(topic, Enumerable.Range(0, 20).Select(i => $"m{i}").ToArray());
        await using var first = await RecordingHttpEndpoint.StartAsync();
        await using var second = await RecordingHttpEndpoint.StartAsync();

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--mode", "round-robin",
            "--post", first.Address, "--post", second.Address);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(10, first.Requests.Count);
        Assert.Equal(10, second.Requests.Count);
        Assert.Equal(20, first.Requests.Concat(second.Requests).Select(r => r.BodyText).Distinct().Count());
    }

    [Fact]
    public async Task Nsq_to_http_hostpool_sends_to_the_healthy_url_when_the_other_fails()
    {
        var topic = await TopicWithChannelAsync();
        await Http.MpubAsync(topic, Enumerable.Range(0, 10).Select(i => $"m{i}").ToArray());
        await using var broken = await RecordingHttpEndpoint.StartAsync((_, _) => Task.FromResult(503));
        await using var healthy = await RecordingHttpEndpoint.StartAsync();

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--max-in-flight", "1",
            "--post", broken.Address, "--post", healthy.Address);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        // one message at a time: the broken URL fails once, then is dead for 30 s and every message goes to the healthy one
        Assert.Single(broken.Requests);
        Assert.Equal(10, healthy.Requests.Select(r => r.BodyText).Distinct().Count());
    }

    [Fact]
    public async Task Nsq_to_http_n_bounds_the_concurrent_requests()
    {
        var topic = await TopicWithChannelAsync();
        await Http.MpubAsync(topic, Enumerable.Range(0, 12).Select(i => $"m{i}").ToArray());
        var running = 0;
        var most = 0;
        await using var endpoint = await RecordingHttpEndpoint.StartAsync(async (_, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await Task.Delay(150); // long enough for the requests the tool is allowed to overlap
            Interlocked.Decrement(ref running);
            return 200;
        });

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address,
            "--max-in-flight", "12", "--n", "3");
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(12, endpoint.Requests.Count);
        Assert.InRange(Volatile.Read(ref most), 2, 3);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
    }

    [Fact]
    public async Task Nsq_to_http_ctrl_c_finishes_the_request_in_flight_and_exits_0()
    {
        var topic = await TopicWithChannelAsync();
        await Http.PubAsync(topic, "in flight");
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await RecordingHttpEndpoint.StartAsync((_, _) => release.Task);

        using var tool = ToolProcess.Start("nsq_to_http", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress, "--post", endpoint.Address);
        await endpoint.WaitForCountAsync(1, "request held by the endpoint", RelayRun.Timeout, tool.Describe);
        tool.Interrupt();
        await BoundedWait.UntilAsync("nsq_to_http stopping", "the stopping line on stderr", RelayRun.Timeout,
            () => Task.FromResult((tool.Stderr.Contains("nsq_to_http: stopping", StringComparison.Ordinal), tool.Stderr)));
        Assert.DoesNotContain("messages finished", tool.Stderr); // still waiting for the held request
        release.SetResult(200);
        await tool.WaitForExitAsync(RelayRun.Timeout);

        Assert.True(tool.ExitCode == 0, tool.Describe());
        Assert.Contains("1 messages finished, 0 requeued", tool.Stderr);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
    }

    [Theory]
    [InlineData("invalid GET address - must be a printf string", "--get", "http://127.0.0.1:1/no-placeholder")]
    [InlineData("--get or --post required")]
    [InlineData("use --get or --post not both", "--get", "http://127.0.0.1:1/?m=%s", "--post", "http://127.0.0.1:1/")]
    [InlineData("--content-type only used with --post", "--get", "http://127.0.0.1:1/?m=%s", "--content-type", "text/plain")]
    [InlineData("--header value format should be 'key: value'", "--post", "http://127.0.0.1:1/", "--header", "novalue")]
    [InlineData("--mode must be round-robin or hostpool", "--post", "http://127.0.0.1:1/", "--mode", "fastest")]
    public async Task Nsq_to_http_misconfigured_exits_1_with_the_reason(string reason, params string[] flags)
    {
        using var tool = await ToolProcess.RunAsync(RelayRun.Timeout, ["nsq_to_http", "--topic", Unique("http"), "--nsqd-tcp-address", Silo.TcpAddress, .. flags]);
        Assert.True(tool.ExitCode == 1, tool.Describe());
        Assert.Contains(reason, tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_http_to_an_unreachable_nsqd_exits_1_with_the_error()
    {
        var closedPort = FreePorts.Take(1)[0];
        using var tool = await ToolProcess.RunAsync(RelayRun.Timeout, "nsq_to_http", "--topic", Unique("http"),
            "--nsqd-tcp-address", $"127.0.0.1:{closedPort}", "--post", "http://127.0.0.1:1/");
        Assert.True(tool.ExitCode == 1, tool.Describe());
        Assert.Contains("ERROR:", tool.Stderr);
    }

    private async Task<string> TopicWithChannelAsync()
    {
        var topic = Unique("http");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, Channel);
        return topic;
    }
}
