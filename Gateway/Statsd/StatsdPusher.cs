using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Statsd;

/// <summary>
/// nsqd's statsd loop: every --statsd-interval, the node's /stats (topics, channels and, with --statsd-mem-stats,
/// memory) as statsd counters and gauges over UDP to --statsd-address, under --statsd-prefix. The packets of one push
/// are spread evenly over the interval less a second, so a large fleet of topics does not burst at the daemon. An
/// address that does not resolve, or a failed read of the stats, is logged and tried again at the next interval.
/// </summary>
/// <remarks>Every node of a cluster reports the topics its /stats shows, which are the whole fleet's: read a topic's
/// figures from one node's keys (summing over hosts counts each topic once per node).</remarks>
internal sealed partial class StatsdPusher(
    IOptions<NsqdOptions> options,
    NodeIdentity node,
    TopicStatsReader topics,
    TimeProvider time,
    ILogger<StatsdPusher> logger) : BackgroundService
{
    private TopicStats[] _previous = [];
    private RuntimeMemory? _previousMemory;

    /// <summary>Pushes completed so far (tests wait on it).</summary>
    internal int Pushes => Volatile.Read(ref _pushes);
    private int _pushes;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.StatsdAddress.Length == 0) return;
        using var timer = new PeriodicTimer(o.StatsdInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PushAsync(o, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPushFailed(logger, o.StatsdAddress, ex);
                }
                Interlocked.Increment(ref _pushes);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task PushAsync(NsqdOptions o, CancellationToken stoppingToken)
    {
        var target = await ResolveAsync(o.StatsdAddress, stoppingToken);
        if (target is null)
        {
            LogUnresolved(logger, o.StatsdAddress);
            return;
        }
        LogPushing(logger, o.StatsdAddress);

        var stats = await topics.ReadAsync() ?? [];
        var packets = new StatsdPackets(node.StatsdPrefix(o.StatsdPrefix), o.StatsdUdpPacketSize);
        StatsdReport.Write(packets, stats, _previous, o.StatsdExcludeEphemeral);
        _previous = stats;
        if (o.StatsdMemStats)
        {
            var memory = RuntimeMemory.Take();
            StatsdReport.WriteMemory(packets, memory, _previousMemory);
            _previousMemory = memory;
        }

        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(target);
        var all = packets.Complete();
        // nsqd spreads one push over the interval less a second.
        var spread = o.StatsdInterval - TimeSpan.FromSeconds(1);
        var gap = all.Count > 0 && spread > TimeSpan.Zero ? spread / all.Count : TimeSpan.Zero;
        for (var i = 0; i < all.Count; i++)
        {
            try
            {
                await socket.SendAsync(all[i], SocketFlags.None, stoppingToken);
            }
            catch (SocketException ex)
            {
                // Nothing listens (ICMP port unreachable) or the network is down: the rest of this push is lost too.
                LogSendFailed(logger, o.StatsdAddress, ex);
                return;
            }
            if (gap > TimeSpan.Zero && i < all.Count - 1) await Task.Delay(gap, time, stoppingToken);
        }
    }

    /// <summary>host:port → an endpoint, or null when the host does not resolve or the port is not one.</summary>
    private static async Task<IPEndPoint?> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(address.AsSpan(colon + 1), out var port)) return null;
        var host = address[..colon].Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], port);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    [LoggerMessage(2101, LogLevel.Information, "STATSD: pushing stats to {Address}")]
    private static partial void LogPushing(ILogger logger, string address);

    [LoggerMessage(2102, LogLevel.Error, "failed to create UDP socket to statsd({Address}): the address does not resolve to host:port")]
    private static partial void LogUnresolved(ILogger logger, string address);

    [LoggerMessage(2103, LogLevel.Warning, "STATSD: sending to {Address} failed; the rest of this push is dropped")]
    private static partial void LogSendFailed(ILogger logger, string address, Exception ex);

    [LoggerMessage(2104, LogLevel.Error, "STATSD: push to {Address} failed; trying again at the next interval")]
    private static partial void LogPushFailed(ILogger logger, string address, Exception ex);
}
