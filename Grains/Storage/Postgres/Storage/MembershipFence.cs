using Npgsql;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>
/// Keeps a silo that the others have declared dead from writing to the message log. A silo cut off from the others
/// still reaches PostgreSQL, and its topic grains go on taking publishes until it reads that it is dead, while the
/// survivors already run new activations of the same topics, whose channels have read their backlog from the log. A
/// batch the old activation committed after that read would never be delivered. So each commit first locks this silo's
/// membership row (FOR SHARE, in the commit's transaction) and fails when the row says Dead: a death declaration
/// (an update of that row) then either waits for a commit in progress, which the new activations will read, or comes
/// first, and the commit is refused (its publishes answer E_PUB_FAILED; nothing it carried was acknowledged in durable
/// mode). A silo with no row yet (starting) or shutting down gracefully writes as before.
/// </summary>
public sealed class MembershipFence(string clusterId, string address, int port, int generation)
{
    // PostgreSQL has no assertion statement: a division by zero is the error that aborts the batch's transaction.
    // 6 is Orleans' SiloStatus.Dead as the membership table stores it.
    private const string Sql = """
        SELECT 1 / (CASE WHEN status = 6 THEN 0 ELSE 1 END) FROM nsq_membership
        WHERE deployment_id = $1 AND address = $2 AND port = $3 AND generation = $4
        FOR SHARE
        """;

    /// <summary>The check, as the first command of a commit's batch.</summary>
    public NpgsqlBatchCommand Command()
    {
        var command = new NpgsqlBatchCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = address });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = port });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = generation });
        return command;
    }

    /// <summary>Whether <paramref name="error"/> is this check failing.</summary>
    public static bool Refused(PostgresException error) => error.SqlState == PostgresErrorCodes.DivisionByZero;
}

/// <summary>A commit refused because this silo has been declared dead (<see cref="MembershipFence"/>).</summary>
public sealed class SiloDeclaredDeadException(Exception inner)
    : Exception("this silo has been declared dead by the cluster: the message log refuses its writes (it stops at its next membership refresh)", inner);
