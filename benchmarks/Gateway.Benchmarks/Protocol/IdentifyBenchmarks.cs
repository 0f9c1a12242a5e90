using System.Buffers;
using BenchmarkDotNet.Attributes;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Identify;
using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Benchmarks.Protocol;

/// <summary>
/// IDENTIFY, once per connection: decode and validate go-nsq's body, then write the 13-key feature negotiation
/// response, as ClientSession.Identify does.
/// </summary>
[MemoryDiagnoser]
public class IdentifyBenchmarks
{
    /// <summary>
    /// go-nsq 1.1.0 conn.identify: a map[string]interface{} through encoding/json, so the keys come sorted, with
    /// go-nsq's defaults (heartbeat 30 s, output buffer 16 KiB / 250 ms, deflate level 6) and its deprecated
    /// short_id/long_id, which nsqd ignores.
    /// </summary>
    private static readonly byte[] GoNsqIdentify =
        """{"client_id":"bench-host","deflate":false,"deflate_level":6,"feature_negotiation":true,"heartbeat_interval":30000,"hostname":"bench-host.example.internal","long_id":"bench-host.example.internal","msg_timeout":0,"output_buffer_size":16384,"output_buffer_timeout":250,"sample_rate":0,"short_id":"bench-host","snappy":false,"tls_v1":false,"user_agent":"go-nsq/1.1.0"}"""u8.ToArray();

    private readonly NsqdOptions _options = new();
    private readonly ReadOnlySequence<byte> _body = new(GoNsqIdentify);
    private readonly ArrayBufferWriter<byte> _output = new(512);
    private IdentifyResult _result = null!;

    [GlobalSetup]
    public void Setup()
    {
        _result = ParseAndValidate() ?? throw new InvalidOperationException("go-nsq's IDENTIFY was refused");
        if (!_result.FeatureNegotiation || WriteResponse() == 0)
        {
            throw new InvalidOperationException("go-nsq's IDENTIFY did not negotiate features");
        }
    }

    [Benchmark]
    public IdentifyResult? ParseAndValidate()
    {
        if (!IdentifyRequest.TryParse(_body, out var request))
        {
            return null;
        }

        return IdentifyNegotiation.Validate(request, _options, out var result) is null ? result : null;
    }

    /// <summary>The JSON only, into a reused buffer; ClientSession then frames it with FrameWriter.WriteResponse.</summary>
    [Benchmark]
    public int WriteResponse()
    {
        _output.ResetWrittenCount();
        IdentifyNegotiation.WriteResponse(_output, _result, _options);
        return _output.WrittenCount;
    }
}
