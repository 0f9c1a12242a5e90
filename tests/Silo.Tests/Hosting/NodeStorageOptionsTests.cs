using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansNsq.Silo.Hosting;

namespace OrleansNsq.Silo.Tests.Hosting;

public class NodeStorageOptionsTests
{
    private static NodeStorageOptions Bind(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        NodeStorageOptions.AddValidation(services.AddOptions<NodeStorageOptions>().BindConfiguration(NodeStorageOptions.SectionName));
        return services.BuildServiceProvider().GetRequiredService<IOptions<NodeStorageOptions>>().Value;
    }

    [Fact]
    public void Postgres_with_a_connection_string_is_accepted()
    {
        var options = Bind(("Storage:Provider", "postgres"), ("Storage:ConnectionString", "Host=db"));

        Assert.Equal(("postgres", "Host=db"), (options.Provider, options.ConnectionString));
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_refused_naming_the_flag()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(("Storage:Provider", "postgres")));

        Assert.Equal("Storage:ConnectionString (--storage-connection) is required with --storage=postgres", Assert.Single(error.Failures));
    }

    [Fact]
    public void An_unknown_provider_is_refused_naming_the_flag()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(("Storage:Provider", "mysql")));

        Assert.Contains("Storage:Provider (--storage) must be sqlite or postgres", error.Failures);
    }

    [Fact]
    public void Sqlite_is_the_default()
    {
        Assert.Equal("sqlite", Bind().Provider);
    }
}
