using System.Buffers;
using OrleansNsq.Consumers;
using OrleansNsq.Protocol;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Connections;

/// <summary>
/// Writing to the client. Three writers share the socket — the read loop's replies, the pump's message
/// frames and the heartbeat timer — so each takes the write lock for a whole batch of frames and flushes once.
/// </summary>
internal sealed partial class ClientSession
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Replies of the read buffer being handled; copied to the socket in one flush at its end.
    private readonly ArrayBufferWriter<byte> _responses = new(256);
    private bool _closed;

    private readonly object _outboxLock = new();
    private List<DeliveredMessage> _outbox = [];
    private List<DeliveredMessage> _outboxWriting = [];
    private bool _deliveryWriterScheduled;

    private void WriteResponse(ReadOnlySpan<byte> frame) => _responses.Write(frame);

    private void WriteError(NsqError error)
    {
        ConnectionLog.ClientError(_logger, RemoteAddress, error.Code);
        _responses.Write(error.Frame.Span);
    }

    private async ValueTask FlushResponsesAsync()
    {
        if (_responses.WrittenCount == 0) return;
        await _writeLock.WaitAsync();
        try
        {
            if (_closed) return;
            _output.Write(_responses.WrittenSpan);
            _responses.ResetWrittenCount();
            await _output.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask WriteAndFlushAsync(ReadOnlyMemory<byte> frame)
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_closed) return;
            _output.Write(frame.Span);
            await _output.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Called by the pump under its lock. True when the caller must start the writer.</summary>
    bool ILeaseHolder.QueueDelivery(in DeliveredMessage message)
    {
        lock (_outboxLock)
        {
            _outbox.Add(message);
            if (_deliveryWriterScheduled) return false;
            _deliveryWriterScheduled = true;
            return true;
        }
    }

    void ILeaseHolder.StartDeliveries() => _ = WriteDeliveriesAsync();

    private async Task WriteDeliveriesAsync()
    {
        while (true)
        {
            lock (_outboxLock)
            {
                if (_outbox.Count == 0)
                {
                    _deliveryWriterScheduled = false;
                    return;
                }
                (_outbox, _outboxWriting) = (_outboxWriting, _outbox);
            }
            await _writeLock.WaitAsync();
            try
            {
                if (_closed)
                {
                    _outboxWriting.Clear();
                    continue;
                }
                foreach (var message in _outboxWriting)
                    FrameWriter.WriteMessage(_output, message.TimestampNs, message.Attempts, message.Id, message.Body.Span);
                _outboxWriting.Clear();
                await _output.FlushAsync();
            }
            catch (Exception ex)
            {
                // The socket is broken: what was not written times out in the channel and goes to another consumer.
                _outboxWriting.Clear();
                ConnectionLog.Failed(_logger, RemoteAddress, ex);
                Abort("write failed");
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }
}
