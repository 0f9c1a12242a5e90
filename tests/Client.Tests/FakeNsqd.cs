using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansNsq.Client.Tests;

/// <summary>
/// A minimal stand-in for nsqd on loopback, for what a Silo cannot be made to do on demand (drop a connection, fall
/// silent): it reads the magic and commands, answers IDENTIFY, SUB and PUB with OK and CLS with CLOSE_WAIT, and lets the test decide the rest.
/// </summary>
internal sealed class FakeNsqd : IDisposable
{
    private readonly TcpListener _listener;

    /// <summary>Listens on <paramref name="port"/> (0: any free one).</summary>
    public FakeNsqd(int port = 0)
    {
        _listener = new(IPAddress.Loopback, port);
        _listener.Start();
    }

    /// <summary>The answer to IDENTIFY: plain OK (an old nsqd, nothing negotiated) unless a test sets JSON.</summary>
    public string IdentifyAnswer { get; init; } = "OK";

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async Task<Session> AcceptAsync(CancellationToken cancellationToken) =>
        new(await _listener.AcceptTcpClientAsync(cancellationToken), IdentifyAnswer);

    public void Dispose() => _listener.Dispose();

    internal sealed class Session(TcpClient client, string identifyAnswer) : IDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private bool _greeted;

        /// <summary>The IDENTIFY body the client sent (JSON), once it came.</summary>
        public byte[]? Identify { get; private set; }

        /// <summary>Reads the magic (on the first call), then answers commands until <paramref name="until"/> is seen
        /// (returns it) or EOF (null).</summary>
        public async Task<string?> ServeUntilAsync(string until, CancellationToken cancellationToken)
        {
            if (!_greeted)
            {
                var magic = new byte[4];
                await _stream.ReadExactlyAsync(magic, cancellationToken);
                _greeted = true;
            }

            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                if (line == "IDENTIFY")
                {
                    var size = new byte[4];
                    await _stream.ReadExactlyAsync(size, cancellationToken);
                    Identify = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                    await _stream.ReadExactlyAsync(Identify, cancellationToken);
                    await SendFrameAsync(0, Encoding.UTF8.GetBytes(identifyAnswer), cancellationToken);
                }
                else if (line.StartsWith("SUB ", StringComparison.Ordinal))
                {
                    await SendOkAsync(cancellationToken);
                }
                else if (line == "CLS")
                {
                    await SendFrameAsync(0, "CLOSE_WAIT"u8.ToArray(), cancellationToken);
                }
                else if (line.StartsWith("PUB ", StringComparison.Ordinal))
                {
                    var size = new byte[4];
                    await _stream.ReadExactlyAsync(size, cancellationToken);
                    await _stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(size)], cancellationToken);
                    await SendOkAsync(cancellationToken);
                }

                if (line.StartsWith(until, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            return null;
        }

        private Task SendOkAsync(CancellationToken cancellationToken) => SendFrameAsync(0, "OK"u8.ToArray(), cancellationToken);

        /// <summary>Sends a message frame: <c>[i64 timestamp][u16 attempts][16-byte id][body]</c>.</summary>
        public Task SendMessageAsync(string id, int attempts, string body, CancellationToken cancellationToken)
        {
            var data = new byte[26 + Encoding.UTF8.GetByteCount(body)];
            BinaryPrimitives.WriteInt64BigEndian(data, 1_700_000_000_000_000_000);
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(8), (ushort)attempts);
            Encoding.ASCII.GetBytes(id.PadRight(16, '0').AsSpan(0, 16), data.AsSpan(10));
            Encoding.UTF8.GetBytes(body, data.AsSpan(26));
            return SendFrameAsync(2, data, cancellationToken);
        }

        private async Task SendFrameAsync(int type, byte[] data, CancellationToken cancellationToken)
        {
            var frame = new byte[8 + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(frame, 4 + data.Length);
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), type);
            data.CopyTo(frame.AsSpan(8));
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                await _stream.WriteAsync(frame, cancellationToken);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (await _stream.ReadAsync(one, cancellationToken) == 0)
                {
                    return null;
                }

                if (one[0] == '\n')
                {
                    return Encoding.ASCII.GetString(line.ToArray());
                }

                line.Add(one[0]);
            }
        }

        public void Dispose() => client.Dispose();
    }
}
