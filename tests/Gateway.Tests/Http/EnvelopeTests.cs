using System.Text;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>Routing and the V1 envelope (nsqd 1.3.0: internal/http_api).</summary>
[Collection(HttpCollection.Name)]
public sealed class EnvelopeTests(HttpApiFixture fixture)
{
    private const string V1 = "nsq; version=1.0";

    [Fact]
    public async Task Every_v1_response_has_the_X_NSQ_Content_Type_header()
    {
        var replies = new[]
        {
            await fixture.Nsqd.Get("/info"),
            await fixture.Nsqd.Post("/pub?topic=x"),
            await fixture.Nsqd.Post("/topic/create?topic=" + fixture.NewTopic("envelope")),
            await fixture.Nsqd.Get("/nope"),
            await fixture.Nsqd.Get("/pub"),
            await fixture.Lookupd.Get("/lookup?topic=" + fixture.NewTopic("envelope")),
            await fixture.Lookupd.Get("/topics"),
            await fixture.Lookupd.Get("/nope"),
        };
        Assert.All(replies, r => Assert.Equal(V1, r.NsqContentType));
    }

    [Fact]
    public async Task Ping_is_plain_OK_without_the_nsq_header()
    {
        foreach (var api in new[] { fixture.Nsqd, fixture.Lookupd })
        {
            var reply = await api.Get("/ping");
            reply.Is(200, "OK");
            Assert.Null(reply.NsqContentType);
            Assert.Equal("text/plain; charset=utf-8", reply.ContentType);
        }
    }

    [Fact]
    public async Task Unknown_path_is_404_NOT_FOUND()
    {
        var nsqd = await fixture.Nsqd.Get("/nope");
        nsqd.Is(404, """{"message":"NOT_FOUND"}""");
        Assert.Equal("application/json; charset=utf-8", nsqd.ContentType);
        (await fixture.Lookupd.Post("/nope")).Is(404, """{"message":"NOT_FOUND"}""");
    }

    // /put and /mput are the exception: they publish (PublishTests).
    [Theory]
    [InlineData("/create_topic")]
    [InlineData("/delete_topic")]
    [InlineData("/empty_channel")]
    public async Task Legacy_0x_paths_are_404_NOT_FOUND(string path)
    {
        (await fixture.Nsqd.Post(path + "?topic=legacy")).Is(404, """{"message":"NOT_FOUND"}""");
    }

    [Fact]
    public async Task Known_path_with_wrong_method_is_405_METHOD_NOT_ALLOWED()
    {
        var getPub = await fixture.Nsqd.Get("/pub?topic=x");
        getPub.Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
        Assert.Equal(["POST", "OPTIONS"], getPub.ContentHeaders.Allow);
        (await fixture.Nsqd.Post("/stats")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
        (await fixture.Nsqd.Post("/ping")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
        (await fixture.Lookupd.Get("/topic/create?topic=x")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
        (await fixture.Lookupd.Post("/lookup?topic=x")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
    }

    [Fact]
    public async Task Options_on_a_known_path_is_200_with_Allow()
    {
        var reply = await Http.Send(fixture.Nsqd, HttpMethod.Options, "/stats");
        reply.Is(200, "");
        Assert.Equal(["GET", "OPTIONS"], reply.ContentHeaders.Allow);
    }

    [Fact]
    public async Task Config_returns_one_option_as_a_json_value()
    {
        (await fixture.Nsqd.Get("/config/max_msg_size")).Is(200, HttpApiFixture.MaxMsgSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await fixture.Nsqd.Get("/config/msg_timeout")).Is(200, "60000000000");
        (await fixture.Nsqd.Get("/config/broadcast_address")).Is(200, "\"test-broadcast\"");
        (await fixture.Nsqd.Get("/config/nsqlookupd_tcp_addresses")).Is(200, "[]");
        (await fixture.Nsqd.Get("/config/nope")).Is(400, """{"message":"INVALID_OPTION"}""");
        (await fixture.Nsqd.Get("/config/a/b")).Is(404, """{"message":"NOT_FOUND"}""");
    }

    [Fact]
    public async Task Each_listener_serves_only_its_own_api()
    {
        (await fixture.Lookupd.Get("/stats")).Is(404, """{"message":"NOT_FOUND"}""");
        (await fixture.Nsqd.Get("/lookup?topic=x")).Is(404, """{"message":"NOT_FOUND"}""");
        (await fixture.Lookupd.Get("/info")).Is(200, """{"version":"1.3.0"}""");
    }

    [Fact]
    public async Task Json_success_has_the_json_content_type_and_empty_success_has_no_body()
    {
        var info = await fixture.Nsqd.Get("/info");
        Assert.Equal("application/json; charset=utf-8", info.ContentType);
        var created = await fixture.Nsqd.Post("/topic/create?topic=" + fixture.NewTopic("empty-body"));
        created.Is(200, "");
        Assert.Null(created.ContentType);
    }

    [Fact]
    public async Task Parameters_come_from_the_query_only_and_the_body_is_ignored()
    {
        var topic = fixture.NewTopic("body-ignored");
        var reply = await Http.Send(fixture.Nsqd, HttpMethod.Post, "/topic/create",
            new StringContent("topic=" + topic, Encoding.UTF8, "application/x-www-form-urlencoded"));
        reply.Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Bad_query_escape_is_400_INVALID_REQUEST()
    {
        Assert.Equal((400, """{"message":"INVALID_REQUEST"}"""), await Http.Raw(fixture.Nsqd, "POST", "/topic/create?topic=a%zz"));
        Assert.Equal((400, """{"message":"INVALID_REQUEST"}"""), await Http.Raw(fixture.Nsqd, "GET", "/stats?format=json;x=1"));
        Assert.Equal((400, """{"message":"INVALID_REQUEST"}"""), await Http.Raw(fixture.Lookupd, "GET", "/lookup?topic=%"));
    }
}
