namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>One Silo per test class (xUnit class fixture); tests in the class keep apart by unique topic names.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("the silo fixture has not started");

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

/// <summary>
/// Base of the tests that talk to a <see cref="SiloFixture"/>: gives each test unique names and writes
/// the Silo output produced during the test into the test output (shown for failed tests).
/// </summary>
public abstract class SiloTest : IDisposable
{
    private readonly long _mark;

    protected SiloTest(SiloFixture fixture, ITestOutputHelper output)
    {
        Silo = fixture.Silo;
        Output = output;
        Http = new NsqdHttp(Silo);
        _mark = Silo.OutputMark;
    }

    protected SiloProcess Silo { get; }

    protected ITestOutputHelper Output { get; }

    protected NsqdHttp Http { get; }

    /// <summary>A valid topic or channel name no other test uses: prefix + 12 hex digits.</summary>
    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>The Silo output since this test started, for failure messages.</summary>
    protected string SiloOutput() => Silo.OutputSince(_mark);

    public void Dispose()
    {
        Http.Dispose();
        try
        {
            Output.WriteLine(SiloOutput());
        }
        catch (InvalidOperationException)
        {
            // no test is active any more (the runner already completed it)
        }

        GC.SuppressFinalize(this);
    }
}
