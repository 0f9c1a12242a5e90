// TEMPORARY: compile-only stand-ins for the IDENTIFY codec being written on helper-codec. Deleted at merge.
using System.Buffers;
namespace OrleansNsq.Gateway.Protocol;
public sealed class IdentifyRequest { public static bool TryParse(in ReadOnlySequence<byte> json, out IdentifyRequest? request) { request = new(); return true; } }
public sealed record IdentifyResult(TimeSpan? HeartbeatInterval, int OutputBufferSize, TimeSpan OutputBufferTimeout, int SampleRate, TimeSpan MsgTimeout, bool FeatureNegotiation, string ClientId, string Hostname, string UserAgent, int DeflateLevel);
public static class IdentifyNegotiation { public static NsqError? Validate(IdentifyRequest r, Options.NsqdOptions o, out IdentifyResult result) { result = new(o.DefaultHeartbeatInterval, 16384, TimeSpan.FromMilliseconds(250), 0, o.MsgTimeout, false, "", "", "", 6); return null; } public static void WriteResponse(IBufferWriter<byte> o, IdentifyResult r, Options.NsqdOptions opt) { } }
