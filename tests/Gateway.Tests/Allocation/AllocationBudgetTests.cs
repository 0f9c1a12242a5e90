using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OrleansNsq.Gateway.Benchmarks.Protocol;

namespace OrleansNsq.Gateway.Tests.Allocation;

/// <summary>
/// Garnet's BDN_Benchmark_Config.json without BenchmarkDotNet (too slow for CI): every [Benchmark]
/// method of benchmarks/Gateway.Benchmarks runs here, for each of its [Params] values, and its allocated bytes per
/// operation (per OperationsPerInvoke, as BenchmarkDotNet's Allocated column) must match allocation-budget.json.
/// A 0 budget means exactly nothing; any other is held to within 10 % either way, so an improvement lowers it.
/// The per-verb zero-allocation rules (DPUB, RDY, FIN, REQ, TOUCH, partial input, error frames) stay in
/// ProtocolV2ParserAllocationTests (tests/Protocol.Tests); both measure with <see cref="Allocations"/>.
/// </summary>
public class AllocationBudgetTests
{
    private const double Tolerance = 0.10;
    private const int Invocations = 100;

    private static readonly Lazy<Dictionary<string, Dictionary<string, long>>> Budget = new(ReadBudget);

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var (type, entry, _) in BenchmarkCases())
        {
            cases.Add(type.Name, entry);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Benchmark_allocates_within_its_budget(string benchmarkClass, string entry)
    {
        var (type, _, run) = BenchmarkCases().Single(c => c.Type.Name == benchmarkClass && c.Entry == entry);
        var key = $"{ClassKey(type)} {entry}";
        long budget = 0;
        Assert.True(Budget.Value.TryGetValue(ClassKey(type), out var entries) && entries.TryGetValue(entry, out budget),
            $"{key} has no entry in allocation-budget.json");

        var (action, operationsPerInvoke) = run();
        var total = Allocations.AllocatedBy(action);
        var perOperation = (double)total / (Invocations * operationsPerInvoke);

        if (budget == 0)
        {
            Assert.True(total == 0, $"{key}: budget 0 B/op, allocated {total} B over {Invocations} invocations ({perOperation:F1} B/op)");
        }
        else
        {
            Assert.True(perOperation <= budget * (1 + Tolerance),
                $"{key}: budget {budget} B/op, allocated {perOperation:F1} B/op (over by more than {Tolerance:P0})");
            Assert.True(perOperation >= budget * (1 - Tolerance),
                $"{key}: budget {budget} B/op, allocated only {perOperation:F1} B/op: lower the budget in allocation-budget.json");
        }
    }

    [Fact]
    public void Every_budget_entry_names_a_benchmark()
    {
        var known = BenchmarkCases().Select(c => $"{ClassKey(c.Type)}|{c.Entry}").ToHashSet();
        var stale = Budget.Value
            .SelectMany(c => c.Value.Keys.Select(entry => $"{c.Key}|{entry}"))
            .Where(key => !known.Contains(key))
            .ToList();

        Assert.True(stale.Count == 0, $"allocation-budget.json entries without a benchmark: {string.Join(", ", stale)}");
    }

    /// <summary>
    /// One case per benchmark method and [Params] value, keyed as Garnet's file is: the class's full name + ".*",
    /// then "expected_Method" or "expected_Method_ParamValue". Running a case calls [GlobalSetup] on a new instance
    /// and returns the method as an allocation-free delegate.
    /// </summary>
    private static IEnumerable<(Type Type, string Entry, Func<(Action Action, int OperationsPerInvoke)> Run)> BenchmarkCases()
    {
        var types = typeof(ProtocolV2ParserBenchmarks).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var parameter = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<ParamsAttribute>() is not null);
            object?[] values = parameter?.GetCustomAttribute<ParamsAttribute>()!.Values ?? [null];
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                foreach (var value in values)
                {
                    var entry = value is null ? $"expected_{method.Name}" : $"expected_{method.Name}_{value}";
                    yield return (type, entry, () => Prepare(type, parameter, value, method));
                }
            }
        }
    }

    private static (Action, int) Prepare(Type type, PropertyInfo? parameter, object? value, MethodInfo method)
    {
        var instance = Activator.CreateInstance(type)!;
        parameter?.SetValue(instance, value);
        foreach (var setup in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null))
        {
            setup.Invoke(instance, null);
        }

        // MethodInfo.Invoke would box the result; a typed delegate calls the method as BenchmarkDotNet does.
        Action action = method.ReturnType switch
        {
            var t when t == typeof(int) => Discard(method.CreateDelegate<Func<int>>(instance)),
            var t when t == typeof(long) => Discard(method.CreateDelegate<Func<long>>(instance)),
            var t when !t.IsValueType => Discard(method.CreateDelegate<Func<object?>>(instance)),
            _ => throw new NotSupportedException($"{type.Name}.{method.Name} returns {method.ReturnType}"),
        };
        return (action, method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke);
    }

    private static Action Discard<T>(Func<T> benchmark) => () => benchmark();

    private static string ClassKey(Type type) => $"{type.FullName}.*";

    private static Dictionary<string, Dictionary<string, long>> ReadBudget()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansNsq.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"no OrleansNsq.sln above {AppContext.BaseDirectory}");
        var path = Path.Combine(directory.FullName, "benchmarks", "Gateway.Benchmarks", "allocation-budget.json");
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, long>>>(File.ReadAllText(path))!;
    }
}
