using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Lookupd;

/// <summary>
/// This node registered with one external nsqlookupd, as nsqd's lookupPeer and lookupLoop do (nsqd/lookup.go,
/// nsqd/lookup_peer.go): connect, <c>␠␠V1</c>, IDENTIFY with the node's identity, REGISTER every topic and channel
/// (<c>REGISTER t c</c> per channel, <c>REGISTER t</c> for a topic without channels), then keep the lookupd current
/// and PING every 15 s. Any failure closes the connection; it reconnects with backoff and registers everything again.
/// <para>
/// Topics and channels come from <see cref="ITopicDirectoryGrain"/>, polled every <see cref="PollInterval"/> and
/// compared with what was sent (<see cref="LookupRegistrationSet"/>). Polling rather than an observer: the directory
/// grain is the cluster's single list of topics, a poll survives its reactivation and any silo's failure with nothing
/// to resubscribe (the reason the gateway pulls messages too, docs/ARCHITECTURE.md), and it costs one grain call per
/// lookupd per 2 s. nsqd tells its lookupds at once; here a new topic reaches them within 2 s, well inside the 60 s
/// clients wait between /lookup polls.
/// </para>
/// </summary>
internal sealed class LookupPeer(
    string address,
    IGrainFactory grains,
    NodeIdentity node,
    IOptions<NsqdOptions> options,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>nsqd's lookupLoop ticker.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>nsqd dials and reads with 1 s deadlines; 5 s keeps a loaded machine from flapping the connection.</summary>
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    /// <summary>nsqd bounds a response by --max-body-size; lookupd's replies are "OK" and a short JSON object.</summary>
    private const int MaxResponseSize = 1024 * 1024;

    public string Address => address;

    /// <summary>The reply to the last IDENTIFY (nsqd keeps it to reach the lookupd's HTTP API).</summary>
    public LookupIdentifyReply? Info { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            var identified = false;
            try
            {
                using var tcp = new TcpClient { NoDelay = true };
                await WithTimeout(t => tcp.ConnectAsync(Host(address), Port(address), t), stopping);
                var stream = tcp.GetStream();
                await WithTimeout(t => stream.WriteAsync(LookupProtocolV1.MagicV1.ToArray(), t), stopping);
                await IdentifyAsync(stream, stopping);
                identified = true;
                backoff = TimeSpan.FromSeconds(1);
                await KeepCurrentAsync(stream, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LookupdLog.PeerFailed(logger, address, identified, ex.Message);
            }
            try
            {
                await Task.Delay(backoff, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
        }
    }

    private async Task IdentifyAsync(NetworkStream stream, CancellationToken stopping)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new LookupIdentify
        {
            BroadcastAddress = options.Value.BroadcastAddress,
            Hostname = node.Hostname,
            TcpPort = node.AdvertisedTcpPort,
            HttpPort = node.AdvertisedHttpPort,
            Version = NsqdOptions.Version,
        }, LookupJsonContext.Default.LookupIdentify);
        var command = new byte[9 + 4 + body.Length];
        "IDENTIFY\n"u8.CopyTo(command);
        BinaryPrimitives.WriteInt32BigEndian(command.AsSpan(9), body.Length);
        body.CopyTo(command, 13);
        var reply = await CommandAsync(stream, command, stopping);
        if (reply.AsSpan().StartsWith("E_"u8)) throw new IOException($"IDENTIFY: {Encoding.UTF8.GetString(reply)}");
        Info = JsonSerializer.Deserialize(reply, LookupJsonContext.Default.LookupIdentifyReply);
        LookupdLog.PeerIdentified(logger, address, Info?.BroadcastAddress ?? "", Info?.HttpPort ?? 0);
    }

    /// <summary>Registers everything, then every poll the differences, and a PING when one is due.</summary>
    private async Task KeepCurrentAsync(NetworkStream stream, CancellationToken stopping)
    {
        var sent = new LookupRegistrationSet();
        var nextPing = time.GetUtcNow() + PingInterval;
        while (true)
        {
            var entries = await grains.TopicDirectory().GetEntriesAsync(stopping);
            foreach (var line in sent.Sync(entries))
            {
                LookupdLog.PeerCommand(logger, address, line);
                await ExpectOkAsync(stream, Encoding.Latin1.GetBytes(line + "\n"), stopping);
            }
            if (time.GetUtcNow() >= nextPing)
            {
                await ExpectOkAsync(stream, "PING\n"u8.ToArray(), stopping);
                nextPing = time.GetUtcNow() + PingInterval;
            }
            await Task.Delay(PollInterval, time, stopping);
        }
    }

    private async Task ExpectOkAsync(NetworkStream stream, byte[] command, CancellationToken stopping)
    {
        var reply = await CommandAsync(stream, command, stopping);
        if (!reply.AsSpan().SequenceEqual("OK"u8)) throw new IOException($"lookupd answered {Encoding.UTF8.GetString(reply)}");
    }

    /// <summary>One round trip: the command, then <c>[i32 size][data]</c>.</summary>
    private static async Task<byte[]> CommandAsync(NetworkStream stream, byte[] command, CancellationToken stopping)
    {
        return await WithTimeout(async t =>
        {
            await stream.WriteAsync(command, t);
            var header = new byte[4];
            await stream.ReadExactlyAsync(header, t);
            var size = BinaryPrimitives.ReadInt32BigEndian(header);
            if (size is < 0 or > MaxResponseSize) throw new IOException($"response size {size} is out of range");
            var data = new byte[size];
            await stream.ReadExactlyAsync(data, t);
            return data;
        }, stopping);
    }

    private static async Task WithTimeout(Func<CancellationToken, ValueTask> io, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(IoTimeout);
        await io(timeout.Token);
    }

    private static async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> io, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(IoTimeout);
        return await io(timeout.Token);
    }

    /// <summary>host of <c>host:port</c>, <c>[::1]:4160</c> included.</summary>
    private static string Host(string address) => address[..address.LastIndexOf(':')].Trim('[', ']');

    private static int Port(string address) => int.Parse(address.AsSpan(address.LastIndexOf(':') + 1), System.Globalization.CultureInfo.InvariantCulture);
}
