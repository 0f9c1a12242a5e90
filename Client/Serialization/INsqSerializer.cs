using System.Buffers;

namespace OrleansNsq.Client.Serialization;

/// <summary>Turns a <typeparamref name="T"/> into a message body and back. <see cref="NsqJsonSerializer{T}"/> is
/// System.Text.Json's; implement this for another format (protobuf, MessagePack…).</summary>
public interface INsqSerializer<T>
{
    /// <summary>Writes <paramref name="value"/> as a body into <paramref name="output"/>.</summary>
    void Serialize(IBufferWriter<byte> output, T value);

    /// <summary>Reads a body; throws when the bytes are not a <typeparamref name="T"/> (the handler then fails).</summary>
    T Deserialize(ReadOnlyMemory<byte> body);
}
