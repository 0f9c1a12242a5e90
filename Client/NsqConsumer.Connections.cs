using System.Collections.Concurrent;
using OrleansNsq.Client.Internal;
using OrleansNsq.Protocol;

namespace OrleansNsq.Client;

/// <summary>The consumer's connections: dialling and subscribing, lookupd polling, reconnects with backoff and jitter,
/// and the state events.</summary>
public sealed partial class NsqConsumer
{
    private async Task ConnectAsync(string address, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested || _connections.ContainsKey(address) || !_connecting.TryAdd(address, 0))
        {
            return;
        }

        try
        {
            var state = new ConsumerConnection(this, address);
            var connection = await NsqConnection.ConnectAsync(address, _options, _options.MsgTimeout, state, _logger, cancellationToken).ConfigureAwait(false);
            state.Connection = connection;
            try
            {
                await connection.CommandAsync((_options.Topic, _options.Channel),
                    static (output, s) => CommandWriter.WriteSub(output, s.Topic, s.Channel), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _connections[address] = state;
            if (connection.IsClosed)
            {
                // closed between SUB and here: OnClosed did not see it in the map
                _connections.TryRemove(new KeyValuePair<string, ConsumerConnection>(address, state));
                throw new NsqConnectionException($"connection to nsqd {address} closed right after SUB");
            }

            ClientLog.Subscribed(_logger, address, _options.Topic, _options.Channel);
            Raise(new(address, NsqConnectionState.Connected, null));
            UpdateRdy();
        }
        finally
        {
            _connecting.TryRemove(address, out _);
        }
    }

    private async Task BackgroundLoopAsync(CancellationToken stopping)
    {
        var nextLookup = _time.GetUtcNow() + _options.LookupdPollInterval;
        var nextRedistribute = _time.GetUtcNow() + _options.RdyRedistributeInterval;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(
            Math.Min(_options.LookupdPollInterval.TotalMilliseconds, _options.RdyRedistributeInterval.TotalMilliseconds) / 2, 20, 1000));
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, _time, stopping).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                if (_options.LookupdHttpAddresses.Count > 0 && now >= nextLookup)
                {
                    nextLookup = now + _options.LookupdPollInterval;
                    await QueryLookupdAsync(stopping).ConfigureAwait(false);
                }

                if (now >= nextRedistribute)
                {
                    nextRedistribute = now + _options.RdyRedistributeInterval;
                    RedistributeRdy();
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                ClientLog.BackgroundStepFailed(_logger, e, _options.Topic, _options.Channel);
            }
        }
    }

    /// <summary>Dials a lost or refused direct nsqd again until it is connected or the consumer stops, waiting
    /// <see cref="ReconnectBackoff"/>'s delay before each dial. One loop per address at a time.</summary>
    private void StartReconnecting(string address, Exception? cause)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        lock (_reconnecting)
        {
            if (_reconnecting.TryGetValue(address, out var running) && !running.IsCompleted)
            {
                return;
            }

            _reconnecting[address] = Task.Run(() => ReconnectLoopAsync(address, cause, _stopping.Token), CancellationToken.None);
        }
    }

    private async Task ReconnectLoopAsync(string address, Exception? cause, CancellationToken stopping)
    {
        for (var attempt = 1; !stopping.IsCancellationRequested; attempt++)
        {
            var delay = ReconnectBackoff.Delay(attempt, _options.ReconnectDelay, _options.MaxReconnectDelay, Random.Shared.NextDouble());
            // the timer is armed before the event, so whoever hears it (a test's fake clock) may advance time at once
            var wait = Task.Delay(delay, _time, stopping);
            Raise(new(address, NsqConnectionState.Reconnecting, cause, attempt, delay));
            try
            {
                await wait.ConfigureAwait(false);
                await ConnectAsync(address, stopping).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
            {
                cause = e;
                ClientLog.ReconnectFailed(_logger, address, e.Message);
            }
        }
    }

    private void Raise(NsqConnectionStateChangedEventArgs change)
    {
        Diagnostics.ClientTelemetry.CountConnection(change.NsqdAddress, "consumer", change.State);
        try
        {
            ConnectionStateChanged?.Invoke(this, change);
        }
        catch (Exception e)
        {
            ClientLog.StateHandlerFailed(_logger, e, change.NsqdAddress, change.State);
        }
    }

    private async Task QueryLookupdAsync(CancellationToken cancellationToken)
    {
        var lookupd = new LookupdClient(_http);
        foreach (var lookupdAddress in _options.LookupdHttpAddresses)
        {
            IReadOnlyList<string> producers;
            try
            {
                producers = await lookupd.LookupAsync(lookupdAddress, _options.Topic, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ClientLog.LookupFailed(_logger, lookupdAddress, _options.Topic, e.Message);
                continue;
            }

            foreach (var address in producers)
            {
                try
                {
                    await ConnectAsync(address, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NsqConnectionException or NsqErrorException)
                {
                    ClientLog.LookedUpNodeFailed(_logger, address, e.Message);
                }
            }
        }
    }

    /// <summary>A registered connection closed: lost, or closed by stop. A lost direct nsqd is dialled again; one
    /// found through lookupd waits for lookupd to list it again (go-nsq).</summary>
    private void OnClosed(ConsumerConnection connection, Exception? error)
    {
        if (!_connections.TryRemove(new KeyValuePair<string, ConsumerConnection>(connection.Address, connection)))
        {
            return;
        }

        Raise(new(connection.Address, NsqConnectionState.Disconnected, error));
        if (_stopping.IsCancellationRequested)
        {
            PulseWhileStopping(); // its messages in flight no longer count
            return;
        }

        ClientLog.ConsumerConnectionClosed(_logger, connection.Address, error is null ? "" : ": " + error.Message);
        UpdateRdy();
        if (_direct.Contains(connection.Address))
        {
            StartReconnecting(connection.Address, error ?? new NsqConnectionException($"nsqd {connection.Address} closed the connection"));
        }
    }
}
