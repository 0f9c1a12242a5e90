// TEMPORARY: compile-only stand-ins for the codec being written on helper-codec. Deleted at merge.
using System.Buffers;
namespace OrleansNsq.Gateway.Protocol;
public enum CommandKind : byte { Identify, Auth, Sub, Pub, Mpub, Dpub, Rdy, Fin, Req, Touch, Cls, Nop }
public enum ConnectionState : byte { Init = 0, Subscribed = 3, Closing = 4 }
public enum ParseStatus : byte { NeedMoreData, Command, Error, CloseSilently }
public enum MagicStatus : byte { NeedMoreData, Ok, Bad }
public sealed class NsqError { public NsqError(string c, string d, bool f) { Code = c; Description = d; IsFatal = f; } public string Code { get; } public string Description { get; } public bool IsFatal { get; } public ReadOnlyMemory<byte> Frame => default; public static NsqError BadProtocol => null!; }
public readonly struct V2Command { public CommandKind Kind { get; } public ReadOnlySequence<byte> Topic { get; } public ReadOnlySequence<byte> Channel { get; } public long Number { get; } public ReadOnlySequence<byte> RawId { get; } public long MessageId { get; } public ReadOnlySequence<byte> Body { get; } public int MessageCount { get; } }
public sealed class ProtocolV2Parser { public ProtocolV2Parser(long a, long b, long c, long d) { } public ParseStatus TryParse(in ReadOnlySequence<byte> buffer, ConnectionState state, out SequencePosition consumed, out V2Command command, out NsqError? error) => throw null!; public NsqError? ErrorAtEndOfInput(in ReadOnlySequence<byte> r, ConnectionState s) => null; }
public static class ProtocolMagic { public static MagicStatus Check(in ReadOnlySequence<byte> buffer, out SequencePosition consumed) => throw null!; }
public static class FrameWriter { public static ReadOnlySpan<byte> OkFrame => default; public static ReadOnlySpan<byte> HeartbeatFrame => default; public static ReadOnlySpan<byte> CloseWaitFrame => default; public static void WriteResponse(IBufferWriter<byte> o, ReadOnlySpan<byte> d) { } public static void WriteMessage(IBufferWriter<byte> o, long t, ushort a, long id, ReadOnlySpan<byte> b) { } }
public struct MpubReader { public MpubReader(ReadOnlySequence<byte> body) { } public bool TryNext(out ReadOnlySequence<byte> m) { m = default; return false; } }
public sealed class IdentifyRequest { public static bool TryParse(in ReadOnlySequence<byte> json, out IdentifyRequest? request) { request = null; return false; } }
public sealed record IdentifyResult(TimeSpan? HeartbeatInterval, int OutputBufferSize, TimeSpan OutputBufferTimeout, int SampleRate, TimeSpan MsgTimeout, bool FeatureNegotiation, string ClientId, string Hostname, string UserAgent, int DeflateLevel);
public static class IdentifyNegotiation { public static NsqError? Validate(IdentifyRequest r, Options.NsqdOptions o, out IdentifyResult result) => throw null!; public static void WriteResponse(IBufferWriter<byte> o, IdentifyResult r, Options.NsqdOptions opt) { } }
