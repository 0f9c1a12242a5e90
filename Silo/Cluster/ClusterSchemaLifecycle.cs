using Npgsql;
using OrleansNsq.Grains.Storage.Postgres;

namespace OrleansNsq.Silo.Cluster;

/// <summary>
/// Applies the project's PostgreSQL schema (whose part 3 is the membership table and the clustering provider's
/// queries) to the cluster database before membership reads its queries (RuntimeGrainServices), when the store is on
/// another database (the store's own start applies it otherwise).
/// </summary>
internal sealed class ClusterSchemaLifecycle(string connectionString) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterSchemaLifecycle), ServiceLifecycleStage.RuntimeInitialize, ApplyAsync, _ => Task.CompletedTask);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await PostgresSchema.ApplyAsync(dataSource, cancellationToken);
    }
}
