using OrleansNsq.Admin.Hosting;

namespace OrleansNsq.Admin.Tests.Hosting;

/// <summary>The standalone admin's flags, parsed as nsqadmin's (in process).</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Repeated_lookupd_addresses_become_a_list_and_durations_go_durations()
    {
        var line = AdminCommandLine.Parse(["--lookupd-http-address=a:4161", "-lookupd-http-address", "b:4161", "--http-client-request-timeout", "1m30s"]);
        Assert.Null(line.Error);
        Assert.Equal("a:4161", line.Values["Admin:LookupdHttpAddresses:0"]);
        Assert.Equal("b:4161", line.Values["Admin:LookupdHttpAddresses:1"]);
        Assert.Equal("00:01:30", line.Values["Admin:HttpClientRequestTimeout"]);
    }

    [Fact]
    public void A_bad_duration_is_nsqadmins_parse_error()
    {
        var line = AdminCommandLine.Parse(["--lookupd-http-address=a:1", "--http-client-connect-timeout", "soon"]);
        Assert.Equal("invalid value \"soon\" for flag -http-client-connect-timeout: parse error", line.Error);
    }
}
