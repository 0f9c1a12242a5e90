using OrleansNsq.Protocol.Transport;

namespace OrleansNsq.Protocol.Tests.Transport;

/// <summary>What a client reads from nsqd's IDENTIFY answer before it upgrades the connection.</summary>
public sealed class IdentifyGrantTests
{
    [Fact]
    public void Nsqds_answer_grants_what_it_says()
    {
        // nsqd 1.3.0's answer to a client that asked for TLS and deflate, as sent on the wire
        var answer = """{"max_rdy_count":2500,"version":"1.3.0","max_msg_timeout":900000,"msg_timeout":60000,"tls_v1":true,"deflate":true,"deflate_level":3,"max_deflate_level":6,"snappy":false,"sample_rate":0,"auth_required":true,"output_buffer_size":16384,"output_buffer_timeout":250}"""u8;

        var grant = IdentifyGrant.Parse(answer);

        Assert.Equal(new IdentifyGrant(Tls: true, Snappy: false, Deflate: true, DeflateLevel: 3, AuthRequired: true, MaxRdyCount: 2500,
            MsgTimeoutMs: 60000), grant);
    }

    [Fact]
    public void A_plain_OK_from_a_server_without_feature_negotiation_grants_nothing()
    {
        var grant = IdentifyGrant.Parse("OK"u8);

        Assert.False(grant.Tls || grant.Snappy || grant.Deflate || grant.AuthRequired);
        Assert.Equal(IdentifyGrant.DefaultMaxRdyCount, grant.MaxRdyCount);
    }
}
