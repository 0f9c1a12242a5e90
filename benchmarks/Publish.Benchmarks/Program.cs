using BenchmarkDotNet.Running;

namespace OrleansNsq.Publish.Benchmarks;

/// <summary>
/// Picks benchmarks from the command line, e.g. <c>-- --filter '*SynchronousPublish*' --job short</c>; with no
/// arguments it asks which class to run.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
