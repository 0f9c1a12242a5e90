using OrleansNsq.Tests.Postgres;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansNsq.Grains.Tests.Storage.Log;

/// <summary>A fact of <see cref="MessageLogStoreContract"/>, run once per store class deriving from it. A store class
/// marked <see cref="RequiresPostgresAttribute"/> has its facts skipped when the test PostgreSQL server is missing
/// outside CI, as <c>[PostgresFact]</c> does (an attribute on the base class's method cannot know the class).</summary>
[XunitTestCaseDiscoverer("OrleansNsq.Grains.Tests.Storage.Log.StoreFactDiscoverer", "OrleansNsq.Grains.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>The store class's facts need the test PostgreSQL server.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo factAttribute)
    {
        if (testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresPostgresAttribute)).Any()
            && OrleansNsq.Tests.Postgres.PostgresTestServer.SkipReason is { } reason)
        {
            return new XunitSkippedDataRowTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(),
                discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
        }
        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
