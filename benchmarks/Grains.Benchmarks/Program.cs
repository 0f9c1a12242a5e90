using BenchmarkDotNet.Running;

namespace OrleansNsq.Grains.Benchmarks;

/// <summary>
/// Picks benchmarks from the command line, e.g.
/// <c>dotnet run -c Release --project benchmarks/Grains.Benchmarks -- --filter '*InFlight*' --job short</c>;
/// with no arguments it asks which class to run.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
