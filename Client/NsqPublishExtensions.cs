using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansNsq.Client.Serialization;

namespace OrleansNsq.Client;

/// <summary>Typed publishes over any <see cref="INsqProducer"/>: the value is serialized to a body, then published as is.</summary>
public static class NsqPublishExtensions
{
    /// <summary>PUB of <paramref name="value"/> as JSON, through its source-generated type info (AOT-safe).</summary>
    public static Task PublishAsync<T>(this INsqProducer producer, string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        producer.PublishAsync(topic, value, new NsqJsonSerializer<T>(typeInfo), cancellationToken);

    /// <summary>PUB of <paramref name="value"/> through <paramref name="serializer"/>.</summary>
    public static Task PublishAsync<T>(this INsqProducer producer, string topic, T value, INsqSerializer<T> serializer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return producer.PublishAsync(topic, Serialize(serializer, value), cancellationToken);
    }

    /// <summary>PUB of <paramref name="value"/> as JSON by reflection (<see cref="JsonSerializerOptions.Web"/>); not for
    /// trimmed or Native AOT applications.</summary>
    [RequiresUnreferencedCode("reflects over T: pass a source-generated JsonTypeInfo<T> in trimmed applications")]
    [RequiresDynamicCode("reflects over T: pass a source-generated JsonTypeInfo<T> under Native AOT")]
    public static Task PublishJsonAsync<T>(this INsqProducer producer, string topic, T value, CancellationToken cancellationToken = default) =>
        producer.PublishAsync(topic, value, NsqJsonSerializer.Create<T>(), cancellationToken);

    /// <summary>MPUB of <paramref name="values"/>, each through <paramref name="serializer"/>; all or none.</summary>
    public static Task MultiPublishAsync<T>(this INsqProducer producer, string topic, IEnumerable<T> values, INsqSerializer<T> serializer,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(values);
        return producer.MultiPublishAsync(topic, values.Select(v => Serialize(serializer, v)).ToArray(), cancellationToken);
    }

    /// <summary>MPUB of <paramref name="values"/> as JSON, through their source-generated type info.</summary>
    public static Task MultiPublishAsync<T>(this INsqProducer producer, string topic, IEnumerable<T> values, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken = default) =>
        producer.MultiPublishAsync(topic, values, new NsqJsonSerializer<T>(typeInfo), cancellationToken);

    /// <summary>DPUB of <paramref name="value"/> through <paramref name="serializer"/>.</summary>
    public static Task DeferredPublishAsync<T>(this INsqProducer producer, string topic, TimeSpan delay, T value, INsqSerializer<T> serializer,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return producer.DeferredPublishAsync(topic, delay, Serialize(serializer, value), cancellationToken);
    }

    /// <summary>DPUB of <paramref name="value"/> as JSON, through its source-generated type info.</summary>
    public static Task DeferredPublishAsync<T>(this INsqProducer producer, string topic, TimeSpan delay, T value, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken = default) =>
        producer.DeferredPublishAsync(topic, delay, value, new NsqJsonSerializer<T>(typeInfo), cancellationToken);

    private static ReadOnlyMemory<byte> Serialize<T>(INsqSerializer<T> serializer, T value)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        var body = new ArrayBufferWriter<byte>(256);
        serializer.Serialize(body, value);
        return body.WrittenMemory;
    }
}
