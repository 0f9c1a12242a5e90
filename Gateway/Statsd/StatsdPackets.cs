using System.Text;

namespace OrleansNsq.Gateway.Statsd;

/// <summary>
/// statsd lines (<c>prefix.stat:value|c</c> or <c>|g</c>, each ending in a newline) packed into UDP payloads of at
/// most the packet size, as nsqd's boundary-buffered writer packs them: whole lines only, in order, a packet is sent
/// when the next line would not fit, and a line longer than a packet travels alone.
/// </summary>
internal sealed class StatsdPackets(string prefix, int packetSize)
{
    private readonly List<byte[]> _packets = [];
    private readonly MemoryStream _current = new();
    private readonly StringBuilder _line = new();

    /// <summary>A counter: the change since the last push.</summary>
    public void Count(string stat, long delta) => Add(stat, delta, "|c");

    public void Gauge(string stat, long value) => Add(stat, value, "|g");

    private void Add(string stat, long value, string kind)
    {
        _line.Clear().Append(prefix).Append(stat).Append(':').Append(value).Append(kind).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(_line.ToString());
        if (_current.Length > 0 && _current.Length + bytes.Length > packetSize) Cut();
        _current.Write(bytes);
        if (_current.Length >= packetSize) Cut();
    }

    private void Cut()
    {
        _packets.Add(_current.ToArray());
        _current.SetLength(0);
    }

    /// <summary>Every packet, the last partial one included.</summary>
    public IReadOnlyList<byte[]> Complete()
    {
        if (_current.Length > 0) Cut();
        return _packets;
    }
}
