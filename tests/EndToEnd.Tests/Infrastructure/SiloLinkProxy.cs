using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A TCP forward in the test process from 127.0.0.1:<see cref="ListenPort"/> (the silo port a silo advertises) to
/// 127.0.0.1:<see cref="TargetPort"/> (the port it listens on), so every connection to that silo passes through here and
/// can be cut as a partitioned network cuts it, without root or iptables. A cut link is a black hole, not a reset: its
/// sockets stay open, bytes and closes are held in both directions, and a new connection is accepted but neither
/// forwarded nor connected onwards. <see cref="CutTarget"/> cuts every connection to the silo;
/// <see cref="CutClientsOf"/> cuts the connections a given process opened (its owner, found through
/// <see cref="SocketOwners"/> when the connection is accepted, and again at the cut if it was not found then).
/// <see cref="HealTarget"/> lets everything held through; a cut process stays cut, so the restarted silo's new process
/// flows while its dead one's connections stay held.
/// </summary>
public sealed class SiloLinkProxy : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly Func<IEnumerable<int>> _candidates;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly HashSet<int> _cutClients = [];
    private readonly Lock _gate = new();
    private readonly Task _acceptLoop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _targetCut;
    private int _accepted;
    private int _ownersAtAccept;
    private int _ownersLater;

    private SiloLinkProxy(int listenPort, int targetPort, Func<IEnumerable<int>> candidates)
    {
        ListenPort = listenPort;
        TargetPort = targetPort;
        _candidates = candidates;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int ListenPort { get; }
    public int TargetPort { get; }

    /// <summary>Listens on 127.0.0.1:<paramref name="listenPort"/> at once and forwards to
    /// 127.0.0.1:<paramref name="targetPort"/>; <paramref name="candidates"/> are the processes a connection may come
    /// from (the test's child processes, say).</summary>
    public static SiloLinkProxy Start(int listenPort, int targetPort, Func<IEnumerable<int>> candidates) =>
        new(listenPort, targetPort, candidates);

    /// <summary>Stops forwarding on every connection to the silo behind this proxy, the held ones and new ones.</summary>
    public void CutTarget() => Change(() => _targetCut = true);

    /// <summary>Forwards again to the silo behind this proxy (the connections of a cut process stay held).</summary>
    public void HealTarget() => Change(() => _targetCut = false);

    /// <summary>Stops forwarding on every connection process <paramref name="pid"/> opened to this proxy, now and later.
    /// Connections whose owner was not found at accept are looked up again first.</summary>
    public void CutClientsOf(int pid)
    {
        foreach (var link in _links.Keys.Where(l => l.Owner is null)) Resolve(link, atAccept: false);
        Change(() => _cutClients.Add(pid));
    }

    /// <summary>Counts for the test's report: connections accepted, owners found at accept, found later, not found,
    /// and connections held now.</summary>
    public string Describe()
    {
        var links = _links.Keys.ToArray();
        var held = links.Count(l => !IsFlowing(l));
        var unknown = links.Count(l => l.Owner is null);
        var owners = string.Join(",", links.GroupBy(l => l.Owner?.ToString() ?? "?").Select(g => $"{g.Key}x{g.Count()}"));
        return $"proxy :{ListenPort}->:{TargetPort}: {_accepted} accepted, owner found at accept {_ownersAtAccept}, later "
               + $"{_ownersLater}, open now {links.Length} (owners {owners}; unknown {unknown}), held now {held}";
    }

    private void Change(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    private bool IsFlowing(Link link)
    {
        lock (_gate) return FlowsUnderLock(link);
    }

    private bool FlowsUnderLock(Link link) => !_targetCut && !(link.Owner is { } owner && _cutClients.Contains(owner));

    /// <summary>Returns once <paramref name="link"/> may forward. While some process is cut, a connection whose owner is
    /// still unknown is looked up again here, so it cannot slip through by having been accepted before its owner's
    /// socket was visible.</summary>
    private async Task WaitUntilFlowingAsync(Link link)
    {
        while (true)
        {
            bool lookUp;
            lock (_gate) lookUp = link.Owner is null && _cutClients.Count > 0;
            if (lookUp) Resolve(link, atAccept: false);
            Task changed;
            lock (_gate)
            {
                if (FlowsUnderLock(link)) return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(_stop.Token);
        }
    }

    private void Resolve(Link link, bool atAccept)
    {
        var owner = SocketOwners.Find(link.ClientPort, ListenPort, _candidates());
        if (owner is null) return;
        link.Owner = owner;
        Interlocked.Increment(ref atAccept ? ref _ownersAtAccept : ref _ownersLater);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            var link = new Link(client, ((IPEndPoint)client.RemoteEndPoint!).Port);
            Resolve(link, atAccept: true);
            _links[link] = 0;
            _ = RunAsync(link);
        }
    }

    private async Task RunAsync(Link link)
    {
        try
        {
            await WaitUntilFlowingAsync(link);
            link.Upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await link.Upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), _stop.Token);
            await Task.WhenAll(PumpAsync(link, link.Client, link.Upstream), PumpAsync(link, link.Upstream, link.Client));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // the proxy stopped, or the silo behind it is not listening (a connection refused is passed on as a close)
        }
        finally
        {
            link.Close();
            _links.TryRemove(link, out _);
        }
    }

    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>; what was read waits while the link is cut, and an
    /// end of stream or a reset is passed on only when the link flows.</summary>
    private async Task PumpAsync(Link link, Socket from, Socket to)
    {
        var buffer = new byte[BufferSize];
        while (true)
        {
            int read;
            var reset = false;
            try
            {
                read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (SocketException)
            {
                read = 0;
                reset = true;
            }

            await WaitUntilFlowingAsync(link);
            if (reset)
            {
                link.Close(); // the other pump ends too
                return;
            }
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Keys) link.Close();
        await _acceptLoop;
        _stop.Dispose();
    }

    /// <summary>One accepted connection: the client's socket, the one onwards to the silo once it flows, the client's
    /// port and the process that owns the client's end.</summary>
    private sealed class Link(Socket client, int clientPort)
    {
        public Socket Client { get; } = client;
        public int ClientPort { get; } = clientPort;
        public Socket? Upstream { get; set; }
        public int? Owner { get; set; }

        public void Close()
        {
            Client.Dispose();
            Upstream?.Dispose();
        }
    }
}
