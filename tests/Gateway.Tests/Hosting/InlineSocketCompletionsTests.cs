using OrleansNsq.Gateway.Hosting;

namespace OrleansNsq.Gateway.Tests.Hosting;

/// <summary>The programs turn inline socket completions on unless the environment already says either way.</summary>
public class InlineSocketCompletionsTests
{
    [Fact]
    public void Unset_becomes_on_and_an_explicit_choice_stays()
    {
        var before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);
            InlineSocketCompletions.EnableUnlessSet();
            Assert.Equal("1", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));

            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, "0");
            InlineSocketCompletions.EnableUnlessSet();
            Assert.Equal("0", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }
}
