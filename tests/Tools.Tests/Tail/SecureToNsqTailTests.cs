using System.Text;
using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Tls;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Tail;

/// <summary>to_nsq, nsq_tail, nsq_to_nsq and bench over TLS (trusting the test's CA through --tls-root-ca-file or go-nsq's
/// tls_root_ca_file option), snappy or deflate, and AUTH, against a Silo with a certificate made by the test and an auth
/// server in the test.</summary>
public sealed class SecureToNsqTailTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);
    private readonly ThrowAwayCa _ca = ThrowAwayCa.Create();
    private FakeAuthServer? _auth;
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _auth = FakeAuthServer.Start();
        _auth.Answer = q => q["secret"] == "tools" ? (200, FakeAuthServer.Grant(3600, ".*", [".*"], "subscribe", "publish")) : (403, "{}");
        _silo = await SiloProcess.StartAsync("--tls-cert", _ca.ServerCertFile, "--tls-key", _ca.ServerKeyFile, "--https-address", "",
            "--tls-required=tcp-https", "--auth-http-address", _auth.Address);
    }

    [Theory]
    [InlineData("--snappy")]
    [InlineData("--deflate")]
    public async Task Lines_go_through_tls_compression_and_auth_exactly(string compression)
    {
        var topic = $"secure-{Guid.NewGuid():N}"[..24];
        var lines = Enumerable.Range(0, 100).Select(i => $"line {i} é {new string('x', i % 13)}").ToArray();
        string[] layers = ["--tls", "--tls-root-ca-file", _ca.CaFile, compression, "--auth-secret", "tools"];

        using var publish = await ToolProcess.RunAsync(RunTimeout, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"),
            ["to_nsq", "--topic", topic, "--nsqd-tcp-address", _silo!.TcpAddress, .. layers]);
        Assert.True(publish.ExitCode == 0, publish.Describe());

        using var tail = await ToolProcess.RunAsync(RunTimeout,
            ["nsq_tail", "--topic", topic, "--channel", "tail", "--nsqd-tcp-address", _silo.TcpAddress, "-n", "100", .. layers]);
        Assert.True(tail.ExitCode == 0, tail.Describe());
        Assert.Equal(lines.Order(StringComparer.Ordinal), tail.Stdout.Split('\n')[..^1].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nsq_to_nsq_copies_through_tls_compression_and_auth_on_both_sides()
    {
        var source = $"secsrc-{Guid.NewGuid():N}"[..24];
        var target = $"secdst-{Guid.NewGuid():N}"[..24];
        var lines = Enumerable.Range(0, 50).Select(i => $"copied {i}").ToArray();
        string[] layers = ["--tls", "--tls-root-ca-file", _ca.CaFile, "--deflate", "--auth-secret", "tools"];
        using (var http = new NsqdHttp(_silo!))
        {
            await http.CreateTopicAsync(source);
            await http.CreateChannelAsync(source, "nsq_to_nsq");
            await http.CreateTopicAsync(target);
            await http.CreateChannelAsync(target, "tail");
        }
        using var publish = await ToolProcess.RunAsync(RunTimeout, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"),
            ["to_nsq", "--topic", source, "--nsqd-tcp-address", _silo!.TcpAddress, .. layers]);
        Assert.True(publish.ExitCode == 0, publish.Describe());

        using var relay = ToolProcess.Start(["nsq_to_nsq", "--topic", source, "--nsqd-tcp-address", _silo.TcpAddress,
            "--destination-topic", target, "--destination-nsqd-tcp-address", _silo.TcpAddress, .. layers]);
        using var tail = await ToolProcess.RunAsync(RunTimeout,
            ["nsq_tail", "--topic", target, "--channel", "tail", "--nsqd-tcp-address", _silo.TcpAddress, "-n", "50", .. layers]);
        await RelayRun.InterruptAndExpectExit0Async(relay);

        Assert.True(tail.ExitCode == 0, tail.Describe() + relay.Describe());
        Assert.Equal(lines.Order(StringComparer.Ordinal), tail.Stdout.Split('\n')[..^1].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Go_nsq_options_give_the_same_layers_as_the_named_flags()
    {
        var topic = $"goopt-{Guid.NewGuid():N}"[..24];
        var lines = Enumerable.Range(0, 100).Select(i => $"option {i}").ToArray();

        using var publish = await ToolProcess.RunAsync(RunTimeout, Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"),
            ["to_nsq", "--topic", topic, "--nsqd-tcp-address", _silo!.TcpAddress, "--producer-opt", "tls_v1",
                "--producer-opt", $"tls_root_ca_file,{_ca.CaFile}", "--producer-opt", "snappy,true", "--producer-opt", "auth_secret,tools",
                "--producer-opt", "output_buffer_timeout,100ms"]);
        Assert.True(publish.ExitCode == 0, publish.Describe());
        Assert.Contains("output_buffer_timeout", publish.Stderr); // taken, said not applied

        using var tail = await ToolProcess.RunAsync(RunTimeout,
            ["nsq_tail", "--topic", topic, "--channel", "tail", "--nsqd-tcp-address", _silo.TcpAddress, "-n", "100",
                "--consumer-opt", "tls_v1,true", "--consumer-opt", $"tls-root-ca-file,{_ca.CaFile}", "--consumer-opt", "deflate",
                "--consumer-opt", "deflate_level,3", "--consumer-opt", "auth_secret,tools", "--consumer-opt", "max_attempts,3"]);
        Assert.True(tail.ExitCode == 0, tail.Describe());
        Assert.Equal(lines.Order(StringComparer.Ordinal), tail.Stdout.Split('\n')[..^1].Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_go_nsq_option_go_nsq_does_not_know_is_refused_with_its_words()
    {
        using var publish = await ToolProcess.RunAsync(RunTimeout, "x\n"u8.ToArray(),
            "to_nsq", "--topic", "refused", "--nsqd-tcp-address", _silo!.TcpAddress, "--producer-opt", "no_such_option,1");

        Assert.Equal(1, publish.ExitCode);
        Assert.Contains("invalid value \"no_such_option,1\" for flag -producer-opt: invalid option no_such_option", publish.Stderr);
    }

    [Theory]
    [InlineData("--snappy")]
    [InlineData("--deflate")]
    public async Task Bench_writes_and_reads_exactly_N_through_tls_compression_and_auth(string compression)
    {
        var topic = $"secbench-{Guid.NewGuid():N}"[..24];
        using (var http = new NsqdHttp(_silo!))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "ch");
        }
        string[] common = ["--nsqd-tcp-address", _silo!.TcpAddress, "--topic", topic, "--channel", "ch", "--messages", "3210", "--json",
            "--tls", "--tls-root-ca-file", _ca.CaFile, compression, "--auth-secret", "tools"];

        using var write = await ToolProcess.RunAsync(RunTimeout, ["bench", "write", .. common]);
        Assert.True(write.ExitCode == 0, write.Describe());
        using var read = await ToolProcess.RunAsync(RunTimeout, ["bench", "read", .. common]);
        Assert.True(read.ExitCode == 0, read.Describe());

        Assert.Equal(3210, JsonDocument.Parse(write.Stdout).RootElement.GetProperty("messages").GetInt64());
        Assert.Equal(3210, JsonDocument.Parse(read.Stdout).RootElement.GetProperty("messages").GetInt64());
    }

    [Fact]
    public async Task Without_tls_the_server_that_requires_it_refuses_and_to_nsq_fails()
    {
        using var publish = await ToolProcess.RunAsync(RunTimeout, "x\n"u8.ToArray(),
            "to_nsq", "--topic", "refused", "--nsqd-tcp-address", _silo!.TcpAddress, "--auth-secret", "tools");

        Assert.NotEqual(0, publish.ExitCode);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
        if (_auth is not null) await _auth.DisposeAsync();
        _ca.Dispose();
    }
}
