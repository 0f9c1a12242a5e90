using System.Buffers.Binary;
using System.Text;

namespace OrleansNsq.Protocol;

/// <summary>
/// One error frame nsqd sends: data is <c>"&lt;Code&gt; &lt;Description&gt;"</c> (internal/protocol/errors.go
/// ClientErr.Error). The frame is built once, so writing a fixed error costs a copy and no allocation. Texts that
/// carry values come from factory methods, which allocate: they run on the error path only.
/// </summary>
public sealed partial class NsqError
{
    private readonly byte[] _frame;

    private NsqError(string code, string description, byte[] frame)
    {
        Code = code;
        Description = description;
        _frame = frame;
        // Only these three are nsqd's ClientErr (connection stays); every other error is a FatalClientErr.
        IsFatal = code is not ("E_FIN_FAILED" or "E_REQ_FAILED" or "E_TOUCH_FAILED");
    }

    /// <summary>The machine readable code, e.g. <c>E_INVALID</c>.</summary>
    public string Code { get; }

    /// <summary>The text after the code. Raw client bytes in it (verbs, numbers) are decoded leniently for logs;
    /// <see cref="Frame"/> carries them exactly as sent.</summary>
    public string Description { get; }

    /// <summary>False only for E_FIN_FAILED, E_REQ_FAILED and E_TOUCH_FAILED; nsqd closes after any other error.</summary>
    public bool IsFatal { get; }

    /// <summary>The complete server frame: [u32 size][u32 type = 1][data].</summary>
    public ReadOnlyMemory<byte> Frame => _frame;

    /// <summary>The frame's data: code, space, description (or the bare code of <see cref="BadProtocol"/>).</summary>
    public ReadOnlySpan<byte> Data => _frame.AsSpan(8);

    public override string ToString() => Description.Length == 0 ? Code : Code + " " + Description;

    /// <summary>An error whose description is plain text.</summary>
    internal static NsqError Create(string code, string description) =>
        Create(code, Encoding.UTF8.GetBytes(description), ReadOnlySpan<byte>.Empty, ReadOnlySpan<byte>.Empty);

    /// <summary>
    /// An error whose description is <paramref name="prefix"/> + raw client bytes + <paramref name="suffix"/>, as nsqd
    /// formats <c>%s</c> of a []byte: the bytes go out unchanged.
    /// </summary>
    internal static NsqError Create(string code, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> suffix)
    {
        var descriptionLength = prefix.Length + raw.Length + suffix.Length;
        var dataLength = code.Length + 1 + descriptionLength;
        var frame = new byte[8 + dataLength];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(4 + dataLength));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)FrameType.Error);
        var data = frame.AsSpan(8);
        Encoding.ASCII.GetBytes(code, data);
        data[code.Length] = (byte)' ';
        var description = data[(code.Length + 1)..];
        prefix.CopyTo(description);
        raw.CopyTo(description[prefix.Length..]);
        suffix.CopyTo(description[(prefix.Length + raw.Length)..]);
        return new NsqError(code, Encoding.UTF8.GetString(description), frame);
    }

    private static NsqError CreateBare(string code)
    {
        var frame = new byte[8 + code.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(4 + code.Length));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)FrameType.Error);
        Encoding.ASCII.GetBytes(code, frame.AsSpan(8));
        return new NsqError(code, "", frame);
    }
}
