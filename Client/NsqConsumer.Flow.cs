using OrleansNsq.Client.Internal;

namespace OrleansNsq.Client;

/// <summary>Flow control as go-nsq does it: requeue delays, the consumer backoff, RDY spread and redistribution.</summary>
public sealed partial class NsqConsumer
{
    /// <summary>Requeue delay for a failed attempt: DefaultRequeueDelay × 2^(attempts−1), at most MaxRequeueDelay.</summary>
    internal TimeSpan RequeueDelay(int attempts)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ms = _options.DefaultRequeueDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxRequeueDelay.TotalMilliseconds));
    }

    private TimeSpan BackoffDuration(int level)
    {
        var ms = _options.BackoffMultiplier.TotalMilliseconds * Math.Pow(2, Math.Clamp(level - 1, 0, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxBackoffDuration.TotalMilliseconds));
    }

    /// <summary>go-nsq's startStopContinueBackoff: a success during the test step lowers the level, a failure raises it.</summary>
    private void OnResult(bool success)
    {
        if (_options.MaxBackoffDuration <= TimeSpan.Zero)
        {
            return;
        }

        lock (_rdyLock)
        {
            if (_backoffState == BackoffState.Paused || (success && _backoffLevel == 0))
            {
                return; // results of messages sent before the pause do not count
            }

            if (success)
            {
                _backoffLevel--;
            }
            else if (BackoffDuration(_backoffLevel) < _options.MaxBackoffDuration)
            {
                _backoffLevel++;
            }

            if (_backoffLevel == 0)
            {
                _backoffState = BackoffState.None;
                ClientLog.BackoffOver(_logger, _options.Topic, _options.Channel);
            }
            else
            {
                var duration = BackoffDuration(_backoffLevel);
                _backoffState = BackoffState.Paused;
                ClientLog.BackingOff(_logger, _options.Topic, _options.Channel, duration, _backoffLevel);
                _ = ResumeAfterAsync(duration);
            }
        }

        UpdateRdy();
    }

    private async Task ResumeAfterAsync(TimeSpan duration)
    {
        try
        {
            await Task.Delay(duration, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_rdyLock)
        {
            _backoffState = BackoffState.Testing;
        }

        UpdateRdy();
    }

    /// <summary>Sets every connection's RDY from MaxInFlight, the connection count and the backoff state.</summary>
    private void UpdateRdy()
    {
        var connections = _connections.Values.OrderBy(c => c.Address, StringComparer.Ordinal).ToArray();
        if (connections.Length == 0)
        {
            return;
        }

        lock (_rdyLock)
        {
            if (_stopping.IsCancellationRequested && _stopTask is not null)
            {
                return;
            }

            switch (_backoffState)
            {
                case BackoffState.Paused:
                    foreach (var c in connections)
                    {
                        c.SetRdy(0);
                    }

                    return;
                case BackoffState.Testing:
                    var tester = connections[Random.Shared.Next(connections.Length)];
                    foreach (var c in connections)
                    {
                        c.SetRdy(c == tester ? 1 : 0);
                    }

                    return;
            }

            var maxInFlight = _options.MaxInFlight;
            if (maxInFlight >= connections.Length)
            {
                var each = Math.Max(1, maxInFlight / connections.Length);
                foreach (var c in connections)
                {
                    c.SetRdy(Math.Min(each, c.Connection!.MaxRdyCount));
                }

                return;
            }

            // Fewer in flight than connections: RDY 1 on MaxInFlight of them; RedistributeRdy moves it around.
            var holders = connections.Count(c => c.Rdy > 0);
            foreach (var c in connections.OrderBy(_ => Random.Shared.Next()))
            {
                if (c.Rdy > 0 && holders > maxInFlight)
                {
                    c.SetRdy(0);
                    holders--;
                }
                else if (c.Rdy == 0 && holders < maxInFlight)
                {
                    c.SetRdy(1);
                    holders++;
                }
            }
        }
    }

    /// <summary>go-nsq's redistributeRDY: take RDY from connections idle since the last round, give it to others.</summary>
    private void RedistributeRdy()
    {
        var connections = _connections.Values.ToArray();
        lock (_rdyLock)
        {
            if (_backoffState != BackoffState.None || _options.MaxInFlight >= connections.Length || _stopping.IsCancellationRequested)
            {
                return;
            }

            var idleSince = NowMs - (long)_options.RdyRedistributeInterval.TotalMilliseconds;
            var freed = new List<ConsumerConnection>();
            foreach (var c in connections)
            {
                if (c.Rdy > 0 && Volatile.Read(ref c.InFlight) == 0 && c.LastMessageTicks < idleSince)
                {
                    c.SetRdy(0);
                    freed.Add(c);
                }
            }

            var holders = connections.Count(c => c.Rdy > 0);
            var candidates = connections.Where(c => c.Rdy == 0 && !freed.Contains(c)).OrderBy(_ => Random.Shared.Next())
                .Concat(freed.OrderBy(_ => Random.Shared.Next()));
            foreach (var c in candidates)
            {
                if (holders >= _options.MaxInFlight)
                {
                    break;
                }

                c.SetRdy(1);
                holders++;
            }
        }
    }
}
