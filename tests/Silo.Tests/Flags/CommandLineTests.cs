using Microsoft.Extensions.Configuration;
using OrleansNsq.Gateway.Flags;

using OrleansNsq.Protocol;

namespace OrleansNsq.Silo.Tests.Flags;

public class CommandLineTests
{
    [Fact]
    public void Nsqd_flag_names_bind_to_configuration_keys()
    {
        var parsed = CommandLine.Parse(["--mem-queue-size", "0", "-tcp-address=127.0.0.1:5150", "--max-rdy-count=10"]);

        Assert.Null(parsed.Error);
        Assert.Equal("0", parsed.Values["Nsqd:MemQueueSize"]);
        Assert.Equal("127.0.0.1:5150", parsed.Values["Nsqd:TcpAddress"]);
        Assert.Equal("10", parsed.Values["Nsqd:MaxRdyCount"]);
    }

    [Theory]
    [InlineData("--tls-required", "true")]
    [InlineData("--tls-required=true", "true")]
    [InlineData("--tls-required=false", "false")]
    [InlineData("--tls-required=tcp-https", "tcp-https")]
    [InlineData("--tls-required=TCP-HTTPS", "tcp-https")]
    [InlineData("--tls-required=1", "true")]
    public void Tls_required_is_a_go_boolean_that_also_takes_tcp_https(string flag, string value)
    {
        var parsed = CommandLine.Parse([flag, "--tls-cert=c.pem"]);

        Assert.Null(parsed.Error);
        Assert.Equal(value, parsed.Values["Nsqd:TlsRequired"]);
        Assert.Equal("c.pem", parsed.Values["Nsqd:TlsCert"]);
    }

    [Fact]
    public void Tls_required_with_another_word_is_a_parse_error()
    {
        Assert.Equal("invalid boolean value \"https\" for -tls-required: parse error", CommandLine.Parse(["--tls-required=https"]).Error);
    }

    [Fact]
    public void Go_durations_become_timespans()
    {
        var parsed = CommandLine.Parse(["--msg-timeout", "1h0m0s", "--max-req-timeout=250ms"]);

        Assert.Equal("01:00:00", parsed.Values["Nsqd:MsgTimeout"]);
        Assert.Equal("00:00:00.2500000", parsed.Values["Nsqd:MaxReqTimeout"]);
    }

    [Fact]
    public void Storage_and_data_path_bind_to_their_configuration_keys()
    {
        var parsed = CommandLine.Parse(["--storage", "postgres", "--data-path=/var/lib/nsq",
            "--storage-connection=Host=db;Username=nsq;Password=p=q;Database=nsq"]);

        Assert.Equal("postgres", parsed.Values["Storage:Provider"]);
        Assert.Equal("/var/lib/nsq", parsed.Values["Nsqd:DataPath"]);
        Assert.Equal("Host=db;Username=nsq;Password=p=q;Database=nsq", parsed.Values["Storage:ConnectionString"]);
    }

    [Fact]
    public void A_boolean_flag_alone_is_true_and_takes_its_value_after_an_equals_sign_only()
    {
        var parsed = CommandLine.Parse(["--statsd-exclude-ephemeral", "--statsd-mem-stats=false", "--statsd-interval", "10s"]);

        Assert.Null(parsed.Error);
        Assert.Equal("true", parsed.Values["Nsqd:StatsdExcludeEphemeral"]);
        Assert.Equal("false", parsed.Values["Nsqd:StatsdMemStats"]);
        Assert.Equal("00:00:10", parsed.Values["Nsqd:StatsdInterval"]);
        // As Go's flag package: "-flag false" leaves "false" as an argument.
        Assert.Equal("unexpected argument \"false\"", CommandLine.Parse(["--statsd-mem-stats", "false"]).Error);
    }

    [Fact]
    public void A_boolean_flag_takes_what_go_parses_as_a_boolean()
    {
        Assert.Equal("false", CommandLine.Parse(["-statsd-mem-stats=0"]).Values["Nsqd:StatsdMemStats"]);
        Assert.Equal("true", CommandLine.Parse(["-statsd-mem-stats=T"]).Values["Nsqd:StatsdMemStats"]);
        Assert.Equal("invalid boolean value \"yes\" for -statsd-mem-stats: parse error",
            CommandLine.Parse(["--statsd-mem-stats=yes"]).Error);
    }

    [Fact]
    public void Help_prints_a_boolean_flag_without_a_type_as_go_does()
    {
        var help = NsqFlags.HelpText();

        Assert.Contains("  -statsd-mem-stats\n    \ttoggle sending memory and GC stats to statsd (default true)", help.Replace("\r\n", "\n"));
        Assert.Contains("  -statsd-prefix string\n", help.Replace("\r\n", "\n"));
    }

    [Fact]
    public void E2e_percentiles_are_repeated_or_comma_separated_and_must_be_numbers()
    {
        var parsed = CommandLine.Parse(["--e2e-processing-latency-percentile=1.0,0.99", "--e2e-processing-latency-percentile", "0.5"]);

        Assert.Null(parsed.Error);
        Assert.Equal("1.0", parsed.Values["Nsqd:E2eProcessingLatencyPercentiles:0"]);
        Assert.Equal("0.99", parsed.Values["Nsqd:E2eProcessingLatencyPercentiles:1"]);
        Assert.Equal("0.5", parsed.Values["Nsqd:E2eProcessingLatencyPercentiles:2"]);
        Assert.Equal("Could not parse: high", CommandLine.Parse(["--e2e-processing-latency-percentile=0.9,high"]).Error);
    }

    [Fact]
    public void E2e_percentiles_come_from_a_config_file_as_an_array_of_numbers()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "e2e_processing_latency_percentiles = [1.0, 0.95]\ne2e_processing_latency_window_time = \"1m0s\"\n");
            var parsed = CommandLine.Parse(["--config", file]);

            Assert.Null(parsed.Error);
            Assert.Equal("1", parsed.Values["Nsqd:E2eProcessingLatencyPercentiles:0"]);
            Assert.Equal("0.95", parsed.Values["Nsqd:E2eProcessingLatencyPercentiles:1"]);
            Assert.Equal("00:01:00", parsed.Values["Nsqd:E2eProcessingLatencyWindowTime"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Unknown_flag_is_an_error_naming_it()
    {
        var parsed = CommandLine.Parse(["--no-such-flag", "1"]);

        Assert.Equal("flag provided but not defined: -no-such-flag", parsed.Error);
    }

    [Fact]
    public void Non_numeric_integer_flag_is_an_error()
    {
        var parsed = CommandLine.Parse(["--max-msg-size", "big"]);

        Assert.Equal("invalid value \"big\" for flag -max-msg-size: parse error", parsed.Error);
    }

    [Fact]
    public void Flag_without_value_is_an_error()
    {
        Assert.Equal("flag needs an argument: -data-path", CommandLine.Parse(["--data-path"]).Error);
    }

    [Fact]
    public void Help_is_recognised_and_lists_every_flag()
    {
        Assert.True(CommandLine.Parse(["--help"]).Help);
        var help = NsqFlags.HelpText();
        var lines = help.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        foreach (var flag in NsqFlags.All) Assert.Contains(lines, l => l == "  -" + flag.Name || l.StartsWith("  -" + flag.Name + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-version")]
    [InlineData("-version=true")]
    public void Version_asks_for_nsqds_one_line_version(string flag)
    {
        var parsed = CommandLine.Parse(["--mem-queue-size", "5", flag]);

        Assert.True(parsed.Version);
        Assert.Null(parsed.Error);
        Assert.Matches(@"^nsqd v1\.3\.0 \(OrleansNsq \d+\.\d+\.\d+[^ ]*, \.NET \d+\.\d+\.\d+\)$", NsqFlags.VersionText());
        Assert.Contains("  -version", NsqFlags.HelpText());
    }

    [Fact]
    public void Every_nsqd_flag_but_tls_compression_and_auth_is_accepted()
    {
        // nsqd 1.3.0's flags (nsqd --help), without those of TLS, snappy, deflate and AUTH, which are not built yet.
        string[] nsqd =
        [
            "broadcast-address", "broadcast-http-port", "broadcast-tcp-port", "config", "data-path", "e2e-processing-latency-percentile",
            "e2e-processing-latency-window-time", "http-address", "http-client-connect-timeout", "http-client-request-timeout",
            "log-level", "log-prefix", "lookupd-tcp-address", "max-body-size", "max-bytes-per-file", "max-channel-consumers",
            "max-deflate-level", "max-heartbeat-interval", "max-msg-size", "max-msg-timeout", "max-output-buffer-size",
            "max-output-buffer-timeout", "max-rdy-count", "max-req-timeout", "mem-queue-size", "min-output-buffer-timeout",
            "msg-timeout", "node-id", "output-buffer-timeout", "queue-scan-selection-count", "queue-scan-worker-pool-max",
            "statsd-address", "statsd-exclude-ephemeral", "statsd-interval", "statsd-mem-stats", "statsd-prefix",
            "statsd-udp-packet-size", "sync-every", "sync-timeout", "tcp-address", "verbose", "version", "worker-id",
        ];
        var missing = nsqd.Where(name => name is not ("config" or "version") && NsqFlags.Find(name) is null);
        Assert.Empty(missing);
    }

    [Fact]
    public void Ignored_nsqd_flags_are_accepted_from_the_command_line_and_the_config_file_and_listed_with_their_reason()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "max_bytes_per_file = 104857600\nsync_timeout = \"2s\"\n");

            var parsed = CommandLine.Parse(["--config", path, "--sync-every", "100", "-verbose"]);

            Assert.Null(parsed.Error);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(parsed.Values).Build();
            var ignored = NsqFlags.IgnoredGiven(configuration).ToDictionary(i => i.Flag.Name, i => i.Value);
            Assert.Equal(new Dictionary<string, string> { ["verbose"] = "true", ["max-bytes-per-file"] = "104857600", ["sync-every"] = "100", ["sync-timeout"] = "00:00:02" }, ignored);
            Assert.All(NsqFlags.All.Where(f => f.Ignored is not null), f => Assert.StartsWith(NsqFlags.IgnoredSection + ":", f.ConfigKey));
            Assert.Contains("  -sync-every int", NsqFlags.HelpText());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Config_file_values_apply_and_flags_beat_them()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                "# nsqd.cfg",
                "mem_queue_size = 500",
                "msg_timeout = \"30s\"  # comment",
                "broadcast_address = \"node#1\"",
                "nsqlookupd_tcp_addresses = [\"127.0.0.1:4160\"]",
                "max_rdy_count = 100",
            ]);

            var parsed = CommandLine.Parse(["--config", path, "--max-rdy-count", "7"]);

            Assert.Null(parsed.Error);
            Assert.Equal("500", parsed.Values["Nsqd:MemQueueSize"]);
            Assert.Equal("00:00:30", parsed.Values["Nsqd:MsgTimeout"]);
            Assert.Equal("node#1", parsed.Values["Nsqd:BroadcastAddress"]);
            Assert.Equal("7", parsed.Values["Nsqd:MaxRdyCount"]);
            Assert.Equal("127.0.0.1:4160", parsed.Values["Nsqd:LookupdTcpAddresses:0"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Any_valid_nsqd_config_loads_multi_line_arrays_literal_strings_and_underscored_numbers()
    {
        var path = Path.GetTempFileName();
        try
        {
            // As nsqd's own contrib/nsqd.cfg.example writes them, plus the TOML forms a hand-edited file uses.
            File.WriteAllText(path, """
                ## enable verbose logging
                log_level = 'debug'

                ## maximum size of a single message in bytes
                max_msg_size = 1_048_576
                msg_timeout = "1m0s"

                nsqlookupd_tcp_addresses = [
                    "127.0.0.1:4160",   # the first lookupd
                    "127.0.0.2:4160",
                ]
                e2e_processing_latency_percentiles = [1.0, 0.99, 0.5]
                tls_min_version = ""

                [not_nsqd]
                ignored = true
                """);

            var parsed = CommandLine.Parse(["--config", path]);

            Assert.Null(parsed.Error);
            Assert.Equal("1048576", parsed.Values["Nsqd:MaxMsgSize"]);
            Assert.Equal("00:01:00", parsed.Values["Nsqd:MsgTimeout"]);
            Assert.Equal(("127.0.0.1:4160", "127.0.0.2:4160"), (parsed.Values["Nsqd:LookupdTcpAddresses:0"], parsed.Values["Nsqd:LookupdTcpAddresses:1"]));
            Assert.Equal(["1", "0.99", "0.5"], parsed.Values.Where(v => v.Key.StartsWith(NsqFlags.E2ePercentilesKey + ":", StringComparison.Ordinal))
                .OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_config_file_that_is_not_toml_names_the_file_and_position()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "mem_queue_size = = 1\n");

            var parsed = CommandLine.Parse(["--config", path]);

            Assert.NotNull(parsed.Error);
            Assert.StartsWith(path + ": ", parsed.Error);
            Assert.Contains("(1,", parsed.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Repeated_lookupd_tcp_address_binds_as_an_array()
    {
        var parsed = CommandLine.Parse(["--lookupd-tcp-address", "a:4160", "-lookupd-tcp-address=b:4160"]);

        Assert.Null(parsed.Error);
        Assert.Equal("a:4160", parsed.Values["Nsqd:LookupdTcpAddresses:0"]);
        Assert.Equal("b:4160", parsed.Values["Nsqd:LookupdTcpAddresses:1"]);
    }

    [Fact]
    public void Lookupd_tcp_address_flags_replace_the_config_files_list()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["nsqlookupd_tcp_addresses = [\"f1:4160\", \"f2:4160\"]"]);

            Assert.Equal("f2:4160", CommandLine.Parse(["--config", path]).Values["Nsqd:LookupdTcpAddresses:1"]);
            var parsed = CommandLine.Parse(["--config", path, "--lookupd-tcp-address", "flag:4160"]);

            Assert.Equal("flag:4160", parsed.Values["Nsqd:LookupdTcpAddresses:0"]);
            Assert.False(parsed.Values.ContainsKey("Nsqd:LookupdTcpAddresses:1"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lookupd_listen_address_and_inactive_producer_timeout_bind_to_the_lookupd_section()
    {
        var parsed = CommandLine.Parse(["--lookupd-tcp-listen-address", "127.0.0.1:0", "--inactive-producer-timeout", "1m"]);

        Assert.Equal("127.0.0.1:0", parsed.Values["Lookupd:TcpAddress"]);
        Assert.Equal("00:01:00", parsed.Values["Lookupd:InactiveProducerTimeout"]);
    }

    [Fact]
    public void Missing_config_file_is_an_error()
    {
        Assert.StartsWith("config file", CommandLine.Parse(["--config", "/nonexistent/nsqd.cfg"]).Error);
    }

    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("1m0s", 60_000)]
    [InlineData("1h0m0s", 3_600_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0", 0)]
    [InlineData("00:00:02", 2_000)]
    public void GoDuration_parses_nsqd_durations(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("5x")]
    [InlineData("s")]
    public void GoDuration_refuses_what_go_refuses(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
