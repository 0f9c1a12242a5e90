using System.Buffers;
using System.Text;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Identify;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Tests.Identify;

// nsqd 1.3.0: nsqd/protocol_v2.go IDENTIFY field table, validation order and the 13-key response.
public class IdentifyNegotiationTests
{
    private static readonly NsqdOptions Options = new();

    private static IdentifyResult Accept(IdentifyRequest request)
    {
        var error = IdentifyNegotiation.Validate(request, Options, out var result);
        Assert.Null(error);
        return result;
    }

    private static void AssertRejected(IdentifyRequest request, string expected)
    {
        var error = IdentifyNegotiation.Validate(request, Options, out _);
        Assert.NotNull(error);
        Assert.Equal(expected, Wire.Text(error.Data));
        Assert.True(error.IsFatal);
    }

    private static string Response(IdentifyResult result, NsqdOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        IdentifyNegotiation.WriteResponse(output, result, options ?? Options);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Empty_identify_keeps_nsqd_defaults()
    {
        var result = Accept(new IdentifyRequest());

        Assert.Equal(
            new IdentifyResult(TimeSpan.FromSeconds(30), 16384, TimeSpan.FromMilliseconds(250), 0, TimeSpan.FromSeconds(60), false, "", "", "", 6),
            result);
    }

    [Fact]
    public void Client_id_hostname_and_user_agent_are_taken_as_sent()
    {
        var result = Accept(new IdentifyRequest { ClientId = "c", Hostname = "h", UserAgent = "u", FeatureNegotiation = true });

        Assert.Equal(("c", "h", "u", true), (result.ClientId, result.Hostname, result.UserAgent, result.FeatureNegotiation));
    }

    [Theory]
    [InlineData(1000L, 1000.0)]
    [InlineData(60000L, 60000.0)]
    public void Heartbeat_interval_within_1000_to_max_is_taken(long ms, double expected)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expected), Accept(new IdentifyRequest { HeartbeatIntervalMs = ms }).HeartbeatInterval);
    }

    [Fact]
    public void Heartbeat_interval_minus_one_disables_heartbeats()
    {
        Assert.Null(Accept(new IdentifyRequest { HeartbeatIntervalMs = -1 }).HeartbeatInterval);
    }

    [Theory]
    [InlineData(999L)]
    [InlineData(60001L)]
    [InlineData(-2L)]
    public void Heartbeat_interval_out_of_range_is_fatal_E_BAD_BODY(long ms)
    {
        AssertRejected(new IdentifyRequest { HeartbeatIntervalMs = ms }, $"E_BAD_BODY IDENTIFY heartbeat interval ({ms}) is invalid");
    }

    [Fact]
    public void Output_buffer_timeout_within_min_and_max_is_taken()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(25), Accept(new IdentifyRequest { OutputBufferTimeoutMs = 25 }).OutputBufferTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Accept(new IdentifyRequest { OutputBufferTimeoutMs = 30000 }).OutputBufferTimeout);
    }

    [Fact]
    public void Output_buffer_timeout_minus_one_is_reported_as_zero()
    {
        Assert.Equal(TimeSpan.Zero, Accept(new IdentifyRequest { OutputBufferTimeoutMs = -1 }).OutputBufferTimeout);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(24L)]
    [InlineData(30001L)]
    public void Output_buffer_timeout_out_of_range_is_fatal_E_BAD_BODY(long ms)
    {
        AssertRejected(new IdentifyRequest { OutputBufferTimeoutMs = ms }, $"E_BAD_BODY IDENTIFY output buffer timeout ({ms}) is invalid");
    }

    [Fact]
    public void Output_buffer_size_within_64_and_max_is_taken()
    {
        Assert.Equal(64, Accept(new IdentifyRequest { OutputBufferSize = 64 }).OutputBufferSize);
        Assert.Equal(65536, Accept(new IdentifyRequest { OutputBufferSize = 65536 }).OutputBufferSize);
    }

    [Fact]
    public void Output_buffer_size_minus_one_is_unbuffered_size_1_timeout_0()
    {
        var result = Accept(new IdentifyRequest { OutputBufferSize = -1, OutputBufferTimeoutMs = 100 });

        Assert.Equal((1, TimeSpan.Zero), (result.OutputBufferSize, result.OutputBufferTimeout));
    }

    [Theory]
    [InlineData(63L)]
    [InlineData(65537L)]
    [InlineData(-2L)]
    public void Output_buffer_size_out_of_range_is_fatal_E_BAD_BODY(long size)
    {
        AssertRejected(new IdentifyRequest { OutputBufferSize = size }, $"E_BAD_BODY IDENTIFY output buffer size ({size}) is invalid");
    }

    [Fact]
    public void Sample_rate_0_to_99_is_taken()
    {
        Assert.Equal(99, Accept(new IdentifyRequest { SampleRate = 99 }).SampleRate);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(-1)]
    public void Sample_rate_out_of_range_is_fatal_E_BAD_BODY(int rate)
    {
        AssertRejected(new IdentifyRequest { SampleRate = rate }, $"E_BAD_BODY IDENTIFY sample rate ({rate}) is invalid");
    }

    [Fact]
    public void Msg_timeout_within_1000_and_max_is_taken()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Accept(new IdentifyRequest { MsgTimeoutMs = 1000 }).MsgTimeout);
        Assert.Equal(TimeSpan.FromMinutes(15), Accept(new IdentifyRequest { MsgTimeoutMs = 900000 }).MsgTimeout);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(999L)]
    [InlineData(900001L)]
    public void Msg_timeout_out_of_range_is_fatal_E_BAD_BODY(long ms)
    {
        AssertRejected(new IdentifyRequest { MsgTimeoutMs = ms }, $"E_BAD_BODY IDENTIFY msg timeout ({ms}) is invalid");
    }

    [Fact]
    public void Validation_order_is_heartbeat_timeout_size_sample_rate_msg_timeout()
    {
        AssertRejected(
            new IdentifyRequest { HeartbeatIntervalMs = 1, OutputBufferTimeoutMs = 1, OutputBufferSize = 1, SampleRate = 100, MsgTimeoutMs = 1 },
            "E_BAD_BODY IDENTIFY heartbeat interval (1) is invalid");
        AssertRejected(
            new IdentifyRequest { OutputBufferTimeoutMs = 1, OutputBufferSize = 1, SampleRate = 100, MsgTimeoutMs = 1 },
            "E_BAD_BODY IDENTIFY output buffer timeout (1) is invalid");
        AssertRejected(
            new IdentifyRequest { OutputBufferSize = 1, SampleRate = 100, MsgTimeoutMs = 1 },
            "E_BAD_BODY IDENTIFY output buffer size (1) is invalid");
        AssertRejected(
            new IdentifyRequest { SampleRate = 100, MsgTimeoutMs = 1 },
            "E_BAD_BODY IDENTIFY sample rate (100) is invalid");
    }

    [Fact]
    public void Limits_come_from_the_options()
    {
        var options = new NsqdOptions { MaxHeartbeatInterval = TimeSpan.FromSeconds(5), MaxMsgTimeout = TimeSpan.FromSeconds(2) };

        var error = IdentifyNegotiation.Validate(new IdentifyRequest { HeartbeatIntervalMs = 5001 }, options, out _);
        Assert.Equal("E_BAD_BODY IDENTIFY heartbeat interval (5001) is invalid", error?.ToString());

        error = IdentifyNegotiation.Validate(new IdentifyRequest { MsgTimeoutMs = 2001 }, options, out _);
        Assert.Equal("E_BAD_BODY IDENTIFY msg timeout (2001) is invalid", error?.ToString());
    }

    [Fact]
    public void Repeated_identify_keeps_the_current_values_it_does_not_send()
    {
        var first = Accept(new IdentifyRequest { HeartbeatIntervalMs = 5000, MsgTimeoutMs = 2000, OutputBufferSize = 100, ClientId = "a" });

        var error = IdentifyNegotiation.Validate(new IdentifyRequest { SampleRate = 5 }, Options, first, out var second);

        Assert.Null(error);
        Assert.Equal(first with { SampleRate = 5, ClientId = "" }, second);
    }

    [Fact]
    public void Deflate_level_is_6_while_deflate_is_not_offered()
    {
        Assert.Equal(6, Accept(new IdentifyRequest { Deflate = true, DeflateLevel = 9 }).DeflateLevel);
    }

    [Fact]
    public void Deflate_level_is_capped_at_max_deflate_level()
    {
        var options = new NsqdOptions { MaxDeflateLevel = 3 };

        IdentifyNegotiation.Validate(new IdentifyRequest(), options, out var result);

        Assert.Equal(3, result.DeflateLevel);
    }

    [Fact]
    public void Response_has_the_13_keys_in_nsqd_order()
    {
        var response = Response(Accept(new IdentifyRequest { FeatureNegotiation = true }));

        Assert.Equal(
            "{\"max_rdy_count\":2500,\"version\":\"1.3.0\",\"max_msg_timeout\":900000,\"msg_timeout\":60000,"
            + "\"tls_v1\":false,\"deflate\":false,\"deflate_level\":6,\"max_deflate_level\":6,\"snappy\":false,"
            + "\"sample_rate\":0,\"auth_required\":false,\"output_buffer_size\":16384,\"output_buffer_timeout\":250}",
            response);
    }

    [Fact]
    public void Response_reports_the_negotiated_values()
    {
        var result = Accept(new IdentifyRequest { FeatureNegotiation = true, OutputBufferSize = -1, SampleRate = 42, MsgTimeoutMs = 5000, TlsV1 = true, Snappy = true });

        var response = Response(result);

        Assert.Contains("\"msg_timeout\":5000,", response);
        Assert.Contains("\"tls_v1\":false,", response);
        Assert.Contains("\"snappy\":false,", response);
        Assert.Contains("\"sample_rate\":42,", response);
        Assert.EndsWith("\"output_buffer_size\":1,\"output_buffer_timeout\":0}", response);
    }

    [Fact]
    public void Response_reports_the_configured_maximums()
    {
        var options = new NsqdOptions { MaxRdyCount = 100, MaxMsgTimeout = TimeSpan.FromMinutes(1), MaxDeflateLevel = 9 };
        IdentifyNegotiation.Validate(new IdentifyRequest(), options, out var result);

        var response = Response(result, options);

        Assert.StartsWith("{\"max_rdy_count\":100,\"version\":\"1.3.0\",\"max_msg_timeout\":60000,", response);
        Assert.Contains("\"max_deflate_level\":9,", response);
    }

    [Fact]
    public void Upgrades_grant_tls_only_when_offered_and_compression_only_when_its_flag_allows()
    {
        var asksAll = new IdentifyRequest { FeatureNegotiation = true, TlsV1 = true, Snappy = true };

        Assert.Null(IdentifyNegotiation.Upgrades(asksAll, Options, tlsOffered: true, out var granted));
        Assert.Equal(new IdentifyUpgrades(TlsV1: true, Snappy: true, Deflate: false), granted);
        IdentifyNegotiation.Upgrades(asksAll, new NsqdOptions { Snappy = false }, tlsOffered: false, out var refused);
        Assert.False(refused.Any);
    }

    [Fact]
    public void Upgrades_asking_for_snappy_and_deflate_is_nsqds_fatal_error()
    {
        var error = IdentifyNegotiation.Upgrades(new IdentifyRequest { Snappy = true, Deflate = true }, Options, tlsOffered: false, out _);

        Assert.NotNull(error);
        Assert.Equal("E_IDENTIFY_FAILED cannot enable both deflate and snappy compression", Wire.Text(error.Data));
        Assert.True(error.IsFatal);
    }

    [Fact]
    public void Both_compressions_are_refused_only_when_both_are_granted_by_the_flags()
    {
        var error = IdentifyNegotiation.Upgrades(new IdentifyRequest { Snappy = true, Deflate = true },
            new NsqdOptions { Deflate = false }, tlsOffered: false, out var upgrades);

        Assert.Null(error);
        Assert.Equal(new IdentifyUpgrades(TlsV1: false, Snappy: true, Deflate: false), upgrades);
    }

    [Fact]
    public void The_response_reports_the_granted_upgrades()
    {
        var result = Accept(new IdentifyRequest { FeatureNegotiation = true, Deflate = true, DeflateLevel = 3 });
        var output = new ArrayBufferWriter<byte>();

        IdentifyNegotiation.WriteResponse(output, result, Options, new IdentifyUpgrades(TlsV1: true, Snappy: false, Deflate: true));

        var json = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("\"tls_v1\":true,\"deflate\":true,\"deflate_level\":3,\"max_deflate_level\":6,\"snappy\":false", json);
    }
}
