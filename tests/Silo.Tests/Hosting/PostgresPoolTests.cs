using Npgsql;
using OrleansNsq.Grains.Storage.Postgres;

namespace OrleansNsq.Silo.Tests.Hosting;

public class PostgresPoolTests
{
    [Fact]
    public void A_connection_string_without_a_pool_size_gets_the_flags()
    {
        var limited = PostgresPool.WithMaxPoolSize("Host=db;Username=nsq;Database=nsq", 7);

        Assert.Equal(7, new NpgsqlConnectionStringBuilder(limited).MaxPoolSize);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=50")]
    [InlineData("Host=db;Max Pool Size=50")]
    [InlineData("Host=db;maxpoolsize=50")]
    public void A_pool_size_in_the_connection_string_wins_over_the_flag(string connectionString)
    {
        Assert.Equal(connectionString, PostgresPool.WithMaxPoolSize(connectionString, 7));
    }

    [Fact]
    public void The_defaults_fit_three_silos_in_PostgreSQLs_default_max_connections()
    {
        // 100 connections, 3 reserved for superusers, one for the migrate Job.
        Assert.True(3 * (PostgresPool.DefaultStoreMaxPoolSize + PostgresPool.DefaultMembershipMaxPoolSize) + 1 <= 97);
    }
}
