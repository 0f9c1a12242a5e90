using System.Net;
using OrleansNsq.Silo.Cluster;

namespace OrleansNsq.Silo.Tests.Cluster;

/// <summary>
/// /ping of a cluster silo says NOK when the membership table shows that the others cannot reach it (their suspicion
/// votes on its row), that it is no longer Active, or that it has no row; otherwise OK.
/// </summary>
public class MembershipHealthTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 18, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan VoteExpiration = TimeSpan.FromSeconds(30);
    private static readonly SiloAddress Self = Silo(2);
    private static readonly SiloAddress Other1 = Silo(1);
    private static readonly SiloAddress Other3 = Silo(3);

    private static SiloAddress Silo(int n) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11110 + n), 100 + n);

    private static MembershipEntry Row(SiloAddress silo, SiloStatus status, params (SiloAddress Voter, DateTime At)[] votes) => new()
    {
        SiloAddress = silo,
        Status = status,
        SuspectTimes = [.. votes.Select(v => Tuple.Create(v.Voter, v.At))],
        StartTime = Now.AddMinutes(-1),
        IAmAliveTime = Now,
    };

    private static MembershipTableData Table(params MembershipEntry[] rows) =>
        new([.. rows.Select(r => Tuple.Create(r, "etag"))], new TableVersion(1, "v"));

    private static string? Judge(MembershipTableData table) => MembershipHealth.Judge(table, Self, Now, VoteExpiration);

    [Fact]
    public void An_active_row_without_votes_is_healthy()
    {
        Assert.Null(Judge(Table(Row(Other1, SiloStatus.Active), Row(Self, SiloStatus.Active), Row(Other3, SiloStatus.Active))));
    }

    [Fact]
    public void A_live_vote_of_another_silo_makes_it_unhealthy_before_it_is_declared_dead()
    {
        var problem = Judge(Table(Row(Other1, SiloStatus.Active), Row(Self, SiloStatus.Active, (Other1, Now.AddSeconds(-3)))));

        Assert.Equal("suspected dead by 1 other silo(s): they cannot reach this silo", problem);
    }

    [Fact]
    public void Its_own_votes_against_others_and_expired_votes_do_not_count()
    {
        var table = Table(
            Row(Other1, SiloStatus.Active, (Self, Now.AddSeconds(-1))),
            Row(Other3, SiloStatus.Active),
            Row(Self, SiloStatus.Active, (Self, Now.AddSeconds(-1)), (Other3, Now.AddSeconds(-31))));

        Assert.Null(Judge(table));
    }

    [Fact]
    public void Votes_of_a_silo_declared_dead_do_not_count()
    {
        var table = Table(Row(Other1, SiloStatus.Dead), Row(Self, SiloStatus.Active, (Other1, Now.AddSeconds(-1))), Row(Other3, SiloStatus.Active));

        Assert.Null(Judge(table));
    }

    [Fact]
    public void Votes_of_two_silos_are_counted_once_each()
    {
        var table = Table(Row(Other1, SiloStatus.Active), Row(Other3, SiloStatus.Active),
            Row(Self, SiloStatus.Active, (Other1, Now.AddSeconds(-4)), (Other3, Now.AddSeconds(-2)), (Other1, Now.AddSeconds(-1))));

        Assert.Equal("suspected dead by 2 other silo(s): they cannot reach this silo", Judge(table));
    }

    [Theory]
    [InlineData(SiloStatus.Dead)]
    [InlineData(SiloStatus.ShuttingDown)]
    public void A_row_no_longer_active_is_unhealthy(SiloStatus status)
    {
        Assert.Equal($"this silo is {status} in the membership table", Judge(Table(Row(Self, status))));
    }

    [Fact]
    public void No_row_is_unhealthy()
    {
        Assert.Equal("this silo has no row in the membership table", Judge(Table(Row(Other1, SiloStatus.Active))));
    }
}
