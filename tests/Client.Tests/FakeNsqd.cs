using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansNsq.Client.Tests;

/// <summary>
/// A minimal stand-in for nsqd on loopback, for what a Silo cannot be made to do on demand (drop a connection, fall
/// silent): it reads the magic and commands, answers IDENTIFY and SUB with OK, and lets the test decide the rest.
/// </summary>
internal sealed class FakeNsqd : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public FakeNsqd() => _listener.Start();

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public async Task<Session> AcceptAsync(CancellationToken cancellationToken) =>
        new(await _listener.AcceptTcpClientAsync(cancellationToken));

    public void Dispose() => _listener.Dispose();

    internal sealed class Session(TcpClient client) : IDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();

        /// <summary>Reads the magic, then answers commands until <paramref name="until"/> is seen (returns it) or EOF (null).</summary>
        public async Task<string?> ServeUntilAsync(string until, CancellationToken cancellationToken)
        {
            var magic = new byte[4];
            await _stream.ReadExactlyAsync(magic, cancellationToken);
            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                if (line == "IDENTIFY")
                {
                    var size = new byte[4];
                    await _stream.ReadExactlyAsync(size, cancellationToken);
                    await _stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(size)], cancellationToken);
                    await SendOkAsync(cancellationToken);
                }
                else if (line.StartsWith("SUB ", StringComparison.Ordinal))
                {
                    await SendOkAsync(cancellationToken);
                }

                if (line.StartsWith(until, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            return null;
        }

        private async Task SendOkAsync(CancellationToken cancellationToken)
        {
            var frame = new byte[10];
            BinaryPrimitives.WriteInt32BigEndian(frame, 6);
            "OK"u8.CopyTo(frame.AsSpan(8));
            await _stream.WriteAsync(frame, cancellationToken);
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
