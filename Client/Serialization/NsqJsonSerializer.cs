using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansNsq.Client.Serialization;

/// <summary>
/// A body as UTF-8 JSON through System.Text.Json, with the type's <see cref="JsonTypeInfo{T}"/>: pass one from a
/// source-generated <c>JsonSerializerContext</c> (<c>MyContext.Default.Order</c>) and nothing needs reflection, so it
/// works trimmed and under Native AOT.
/// </summary>
public sealed class NsqJsonSerializer<T>(JsonTypeInfo<T> typeInfo) : INsqSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo = typeInfo ?? throw new ArgumentNullException(nameof(typeInfo));

    public void Serialize(IBufferWriter<byte> output, T value)
    {
        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, value, _typeInfo);
    }

    /// <exception cref="JsonException">The body is not JSON of <typeparamref name="T"/>, or is JSON <c>null</c>.</exception>
    public T Deserialize(ReadOnlyMemory<byte> body) =>
        JsonSerializer.Deserialize(body.Span, _typeInfo) ?? throw new JsonException($"the body is JSON null, not a {typeof(T).Name}");
}

/// <summary>Makes <see cref="NsqJsonSerializer{T}"/>s.</summary>
public static class NsqJsonSerializer
{
    /// <summary>A serializer that reflects over <typeparamref name="T"/> (<see cref="JsonSerializerOptions.Web"/>
    /// unless <paramref name="options"/> are given): convenient, but not for trimmed or Native AOT applications; pass a
    /// source-generated <see cref="JsonTypeInfo{T}"/> there.</summary>
    [RequiresUnreferencedCode("reflects over T: use a source-generated JsonTypeInfo<T> in trimmed applications")]
    [RequiresDynamicCode("reflects over T: use a source-generated JsonTypeInfo<T> under Native AOT")]
    public static NsqJsonSerializer<T> Create<T>(JsonSerializerOptions? options = null)
    {
        options ??= JsonSerializerOptions.Web;
        options.MakeReadOnly(populateMissingResolver: true);
        return new((JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
    }
}
