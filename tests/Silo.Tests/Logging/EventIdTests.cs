using System.Reflection;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Silo.Tests.Logging;

/// <summary>docs/LOGGING.md: every log message has an event id of its own, within its area's range.</summary>
public class EventIdTests
{
    // Longest namespace prefix first: an area's range, as docs/LOGGING.md lists them.
    private static readonly (string Namespace, int First, int Last)[] Areas =
    [
        ("OrleansNsq.Gateway.Connections", 1000, 1099),
        ("OrleansNsq.Gateway.Statsd", 2100, 2199),
        ("OrleansNsq.Gateway.Metrics", 2200, 2299),
        ("OrleansNsq.Grains.Channels", 3000, 3099),
        ("OrleansNsq.Grains.Topics", 3100, 3199),
        ("OrleansNsq.Grains.Storage.Log", 3200, 3299),
        ("OrleansNsq.Grains.Storage.Embedded", 3300, 3399),
        ("OrleansNsq.Grains.Storage.Postgres", 3400, 3499),
        ("OrleansNsq.Gateway.Http", 4000, 4099),
        ("OrleansNsq.Gateway.Lookupd", 4100, 4299),
        ("OrleansNsq.Consumers", 5000, 5099),
        ("OrleansNsq.Silo", 6000, 6099),
        ("OrleansNsq.Gateway.Hosting.Memory", 6200, 6299),
        ("OrleansNsq.Gateway", 6100, 6199),
        ("OrleansNsq.Client", 7000, 7099),
    ];

    private static readonly string[] ProductAssemblies =
    [
        "OrleansNsq.Silo", "OrleansNsq.Gateway", "OrleansNsq.Grains", "OrleansNsq.Grains.Interfaces", "OrleansNsq.Consumers",
        "OrleansNsq.Protocol", "OrleansNsq.Client",
    ];

    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Attribute)> LogMessages() =>
        from name in ProductAssemblies
        from type in Assembly.Load(name).GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (method, attribute);

    private static string Where(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";

    [Fact]
    public void The_product_has_log_messages_to_check() => Assert.True(LogMessages().Count() > 40);

    [Fact]
    public void Every_log_message_has_an_event_id_of_its_own()
    {
        var byId = LogMessages().GroupBy(m => m.Attribute.EventId).ToList();
        Assert.DoesNotContain(byId, g => g.Key <= 0);
        var shared = byId.Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => Where(m.Method)))}");
        Assert.Empty(shared);
    }

    [Fact]
    public void Every_event_id_lies_in_its_areas_range()
    {
        var outside = new List<string>();
        foreach (var (method, attribute) in LogMessages())
        {
            var ns = method.DeclaringType!.Namespace ?? "";
            var area = Areas.First(a => ns == a.Namespace || ns.StartsWith(a.Namespace + ".", StringComparison.Ordinal));
            if (attribute.EventId < area.First || attribute.EventId > area.Last)
                outside.Add($"{Where(method)}: {attribute.EventId} not in {area.First}–{area.Last} ({area.Namespace})");
        }
        Assert.Empty(outside);
    }
}
