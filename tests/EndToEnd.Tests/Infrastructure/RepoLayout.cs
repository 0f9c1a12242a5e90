using System.Reflection;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the built Silo and the nsqjs scripts are, found from the test assembly's own location so the
/// tests run the Silo of the same build (Release in CI) without rebuilding it.
/// </summary>
internal static class RepoLayout
{
    private const string SolutionFile = "OrleansNsq.sln";

    public static string Root { get; } = FindRoot();

    /// <summary>The test assembly's configuration (Debug/Release), read from its build attributes.</summary>
    public static string Configuration { get; } =
        typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
        ?? throw new InvalidOperationException("the test assembly has no AssemblyConfigurationAttribute");

    public static string SiloDll => Path.Combine(Root, "Silo", "bin", Configuration, "net10.0", "OrleansNsq.Silo.dll");

    public static string GatewayDll => Path.Combine(Root, "Gateway", "bin", Configuration, "net10.0", "OrleansNsq.Gateway.dll");

    public static string AdminDll => Path.Combine(Root, "Admin", "bin", Configuration, "net10.0", "OrleansNsq.Admin.dll");

    public static string GrainServiceDll => Path.Combine(Root, "samples", "GrainService", "bin", Configuration, "net10.0", "OrleansNsq.GrainService.dll");

    public static string NsqjsDirectory => Path.Combine(Root, "tests", "nsqjs");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no {SolutionFile} above {AppContext.BaseDirectory}");
    }
}
