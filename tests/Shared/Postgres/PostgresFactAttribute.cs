namespace OrleansNsq.Tests.Postgres;

/// <summary>A fact that needs the test PostgreSQL server: skipped without one outside CI
/// (<see cref="PostgresTestServer"/>).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestServer.SkipReason is { } reason) Skip = reason;
    }
}
