using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansNsq.Admin.Fleet;

/// <summary>Source-generated JSON for everything read from lookupd and nsqd.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(LookupdTopics))]
[JsonSerializable(typeof(LookupdChannels))]
[JsonSerializable(typeof(LookupdProducers))]
[JsonSerializable(typeof(NsqdInfo))]
[JsonSerializable(typeof(NsqdStats))]
[JsonSerializable(typeof(SiloList))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
