using System.Text.Json.Serialization.Metadata;
using OrleansNsq.Client.Serialization;

namespace OrleansNsq.Client;

/// <summary>A message's body as a typed value.</summary>
public static class NsqMessageExtensions
{
    /// <summary>The body read through <paramref name="serializer"/>.</summary>
    public static T GetBody<T>(this NsqMessage message, INsqSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(serializer);
        return serializer.Deserialize(message.Body);
    }

    /// <summary>The body read as JSON through its source-generated type info (AOT-safe).</summary>
    public static T GetBody<T>(this NsqMessage message, JsonTypeInfo<T> typeInfo) => message.GetBody(new NsqJsonSerializer<T>(typeInfo));
}
