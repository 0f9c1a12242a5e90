using System.Diagnostics;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Packaging;

/// <summary>
/// The README's two commands: <c>dotnet pack Tools</c> makes the OrleansNsq.Tools package and
/// <c>dotnet tool install --tool-path … --add-source …</c> installs it as <c>orleans-nsq</c>, which runs every command.
/// Packs the build the tests already made (<c>--no-build</c>) into a temporary folder.
/// </summary>
public sealed class DotnetToolTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("orleansnsq-tool-");

    [Fact]
    public async Task Packed_tool_installs_from_a_local_source_and_orleans_nsq_runs_its_commands()
    {
        var packages = Path.Combine(_temp.FullName, "packages");
        var tools = Path.Combine(_temp.FullName, "tools");
        var project = Path.Combine(RepoLayout.Root, "Tools", "Tools.csproj");

        var pack = await RunAsync("dotnet", "pack", project, "-c", RepoLayout.Configuration, "--no-build", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.Text);
        Assert.Single(Directory.GetFiles(packages, "OrleansNsq.Tools.*.nupkg"));

        var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "OrleansNsq.Tools");
        Assert.True(install.ExitCode == 0, install.Text);

        var command = Path.Combine(tools, "orleans-nsq");
        foreach (var (name, flag) in new[] { ("nsq_tail", "--lookupd-http-address"), ("nsq_to_http", "--http-client-request-timeout"),
                     ("nsq_to_nsq", "--destination-nsqd-tcp-address"), ("to_nsq", "--delimiter"), ("nsq_stat", "--nsqd-http-address") })
        {
            var help = await RunAsync(command, name, "--help");
            Assert.True(help.ExitCode == 0, help.Text);
            Assert.Contains(flag, help.Text);
        }
        var version = await RunAsync(command, "nsq_to_http", "--version");
        Assert.Contains("nsq_to_http v1.3.0", version.Text);
    }

    private async Task<(int ExitCode, string Text)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // no first-run banner or telemetry notice in the output
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"phase '{file} {string.Join(' ', args)}': not done within {StepTimeout.TotalSeconds:0} s{Environment.NewLine}{await stdout}{await stderr}");
        }
        var text = $"$ {file} {string.Join(' ', args)} -> {process.ExitCode}{Environment.NewLine}{await stdout}{await stderr}";
        output.WriteLine(text);
        return (process.ExitCode, text);
    }

    public void Dispose() => _temp.Delete(recursive: true);
}
