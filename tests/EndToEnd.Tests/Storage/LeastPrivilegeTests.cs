using System.Diagnostics;
using Npgsql;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Storage;

/// <summary>
/// The schema as an explicit step (docs/DEPLOY.md): <c>Silo migrate</c> with a privileged login creates the tables,
/// then a cluster silo logs in as a user that may only read and write them (no CREATE, as PostgreSQL 15+ gives a new
/// user on <c>public</c>) and runs with <c>--apply-schema=false</c>. Without the flag the same user cannot start.
/// </summary>
public sealed class LeastPrivilegeTests
{
    [PostgresFact]
    public async Task After_migrate_a_silo_whose_user_cannot_create_tables_runs_with_apply_schema_false()
    {
        var schema = await PostgresTestServer.CreateSchemaAsync();
        var role = "nsq_app_" + Guid.NewGuid().ToString("N")[..8];
        var password = Guid.NewGuid().ToString("N");
        try
        {
            var migrate = await RunMigrateAsync(schema.ConnectionString);
            Assert.True(migrate.ExitCode == 0, $"migrate exited {migrate.ExitCode}: {migrate.Output}");

            await ExecuteAsync(schema.ConnectionString,
                $"CREATE ROLE {role} LOGIN PASSWORD '{password}'",
                $"GRANT USAGE ON SCHEMA {schema.Name} TO {role}",
                $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema.Name} TO {role}",
                $"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema.Name} TO {role}");
            var limited = new NpgsqlConnectionStringBuilder(schema.ConnectionString) { Username = role, Password = password }.ConnectionString;
            Assert.False(await ScalarAsync<bool>(limited, $"SELECT has_schema_privilege('{schema.Name}', 'CREATE')"));

            // Without --apply-schema=false the silo tries to create the tables and stops, naming the server.
            var refused = await Assert.ThrowsAsync<SiloExitedException>(() => SiloProcess.StartAsync(ClusterFlags(limited)));
            Assert.Contains("permission denied", refused.Output, StringComparison.OrdinalIgnoreCase);

            await using var silo = await SiloProcess.StartAsync([.. ClusterFlags(limited), "--apply-schema=false", "--mem-queue-size", "0"]);
            var topic = $"least-{Guid.NewGuid():N}"[..20];
            using (var http = new NsqdHttp(silo))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
                await http.PubAsync(topic, "committed by a user without CREATE"); // --mem-queue-size=0: in PostgreSQL before OK
            }
            await using var consumer = await V2Client.ConnectAsync(silo.TcpPort);
            await consumer.Sub(topic, "c");
            await consumer.ExpectOkAsync("SUB");
            await consumer.Rdy(1);
            var frame = await consumer.ExpectFrameAsync("the published message");
            Assert.Equal("committed by a user without CREATE", NsqMessage.Parse(frame.Data).BodyText);
            Assert.Equal(1L, await ScalarAsync<long>(schema.ConnectionString, "SELECT count(*) FROM nsq_membership WHERE status = 3"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await schema.DisposeAsync();
            await ExecuteAsync(PostgresTestServer.RequireAdminConnectionString(), $"DROP ROLE IF EXISTS {role}");
        }
    }

    private static string[] ClusterFlags(string connectionString) =>
        ["--cluster", "postgres", "--cluster-connection", connectionString, "--cluster-id", "c" + Guid.NewGuid().ToString("N")[..8], "--advertised-ip", "127.0.0.1"];

    private static async Task<(int ExitCode, string Output)> RunMigrateAsync(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { RepoLayout.SiloDll, "migrate", "--storage=postgres", "--storage-connection", connectionString })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await BoundedWait.ForAsync(process.WaitForExitAsync(), "migrate", TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
