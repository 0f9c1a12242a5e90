using OrleansNsq.Client;
using OrleansNsq.Tools.Connection;
using OrleansNsq.Tests.Tls;

namespace OrleansNsq.Tools.Tests.Connection;

/// <summary>go-nsq's Config options as NSQ's utilities read them (--consumer-opt / --producer-opt "name[,value]").</summary>
public sealed class GoNsqOptionsTests
{
    private static NsqConsumerOptions Consumer(params string[] values)
    {
        var options = GoNsqOptions.Parse(values, "consumer-opt", consumer: true, out var error);
        Assert.Null(error);
        var consumer = new NsqConsumerOptions { MaxInFlight = 7 };
        options.ApplyTo(consumer);
        return consumer;
    }

    private static string? Error(params string[] values)
    {
        GoNsqOptions.Parse(values, "consumer-opt", consumer: true, out var error);
        return error;
    }

    [Fact]
    public void A_name_without_a_value_is_true_and_a_dash_reads_as_an_underscore()
    {
        var options = Consumer("snappy", "auth-secret,s3cret", "deflate_level,2");

        Assert.True(options.Snappy);
        Assert.Equal("s3cret", options.AuthSecret);
        Assert.Equal(2, options.DeflateLevel);
    }

    [Fact]
    public void Consumer_settings_take_go_durations_and_go_bools()
    {
        var options = Consumer("msg_timeout,90s", "max_attempts,3", "default_requeue_delay,1m30s", "max_backoff_duration,0",
            "lookupd_poll_interval,15s", "heartbeat_interval,5s", "dial_timeout,250ms", "deflate,T", "client_id,me", "hostname,h");

        Assert.Equal(TimeSpan.FromSeconds(90), options.MsgTimeout);
        Assert.Equal(3, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(90), options.DefaultRequeueDelay);
        Assert.Equal(TimeSpan.Zero, options.MaxBackoffDuration);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LookupdPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.DialTimeout);
        Assert.True(options.Deflate);
        Assert.Equal(("me", "h"), (options.ClientId, options.Hostname));
    }

    [Fact]
    public void Max_in_flight_and_user_agent_yield_to_the_utility_and_say_so()
    {
        var parsed = GoNsqOptions.Parse(["max_in_flight,100", "user_agent,x", "sample_rate,10"], "consumer-opt", consumer: true, out var error);
        var options = new NsqConsumerOptions { MaxInFlight = 7, UserAgent = "nsq_tail" };
        parsed.ApplyTo(options);

        Assert.Null(error);
        Assert.Equal((7, "nsq_tail"), (options.MaxInFlight, options.UserAgent));
        Assert.Equal(3, parsed.NotApplied.Count);
        Assert.StartsWith("max_in_flight", parsed.NotApplied[0]);
    }

    [Fact]
    public void A_producer_takes_the_connection_settings_and_ignores_the_consumers()
    {
        var parsed = GoNsqOptions.Parse(["max_attempts,2", "snappy"], "producer-opt", consumer: false, out var error);
        var producer = new NsqProducerOptions();
        parsed.ApplyTo(producer);

        Assert.Null(error);
        Assert.True(producer.Snappy);
    }

    [Theory]
    [InlineData("bogus,1", "invalid value \"bogus,1\" for flag -consumer-opt: invalid option bogus")]
    [InlineData("max_attempts,x", "invalid value \"max_attempts,x\" for flag -consumer-opt: failed to coerce option max_attempts (x)")]
    [InlineData("max_attempts,70000", "invalid value \"max_attempts,70000\" for flag -consumer-opt: invalid max_attempts ! 70000 > 65535")]
    [InlineData("deflate_level,0", "invalid value \"deflate_level,0\" for flag -consumer-opt: invalid deflate_level ! 0 < 1")]
    [InlineData("msg_timeout,soon", "invalid value \"msg_timeout,soon\" for flag -consumer-opt: failed to coerce option msg_timeout (soon)")]
    [InlineData("snappy,yes", "invalid value \"snappy,yes\" for flag -consumer-opt: failed to coerce option snappy (yes)")]
    [InlineData("rdy_redistribute_interval,10s", "invalid value \"rdy_redistribute_interval,10s\" for flag -consumer-opt: invalid rdy_redistribute_interval ! 10s > 5s")]
    [InlineData("tls_min_version,tls9", "invalid value \"tls_min_version,tls9\" for flag -consumer-opt: ERROR: tls9 is not a tls version")]
    public void What_go_nsq_refuses_is_refused_with_its_words(string value, string error) => Assert.Equal(error, Error(value));

    [Fact]
    public void Tls_settings_without_tls_v1_leave_the_connection_plain_as_in_go_nsq()
    {
        using var ca = ThrowAwayCa.Create();

        Assert.Null(Consumer($"tls_root_ca_file,{ca.CaFile}").Tls);
        var tls = Consumer("tls_v1", $"tls_root_ca_file,{ca.CaFile}").Tls;
        Assert.NotNull(tls);
        Assert.NotNull(tls.CertificateChainPolicy);
        Assert.NotNull(Consumer("tls_v1", "tls_insecure_skip_verify").Tls!.RemoteCertificateValidationCallback);
    }

    [Fact]
    public void A_root_ca_file_that_cannot_be_read_is_refused()
    {
        var error = Error("tls_v1", "tls_root_ca_file,/nonexistent/ca.pem");

        Assert.StartsWith("invalid value \"tls_root_ca_file,/nonexistent/ca.pem\" for flag -consumer-opt: ERROR: failed to read custom Certificate Authority file", error);
    }
}
