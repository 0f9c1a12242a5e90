using System.Net;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Api;

/// <summary>Bad input gets nsqadmin 1.3's status and message, never a crash.</summary>
public sealed class ErrorApiTests(SiloFixture fixture, ITestOutputHelper output) : AdminSiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static void AssertError(AdminAnswer answer, HttpStatusCode status, string message)
    {
        Assert.True(answer.Status == status && answer.Message == message, $"expected {(int)status} {message}, got {answer}");
        Assert.StartsWith("application/json", answer.ContentType);
    }

    [Fact]
    public async Task An_action_on_an_unknown_topic_is_502_upstream_error_with_lookupds_404()
    {
        var topic = Unique("nope");
        var answer = await Admin.PostAsync($"/api/topics/{topic}", """{"action":"pause"}""");
        AssertError(answer, HttpStatusCode.BadGateway,
            "UPSTREAM_ERROR: failed to query any nsqlookupd: got response 404 Not Found \"{\\\"message\\\":\\\"TOPIC_NOT_FOUND\\\"}\"");
        AssertError(await Admin.GetAsync($"/api/topics/{topic}"), HttpStatusCode.BadGateway, answer.Message);
    }

    [Fact]
    public async Task An_unknown_node_is_404_NODE_NOT_FOUND()
    {
        AssertError(await Admin.GetAsync("/api/nodes/127.0.0.1:1"), HttpStatusCode.NotFound, "NODE_NOT_FOUND");
    }

    [Fact]
    public async Task Tombstoning_an_unknown_node_is_502_naming_the_node_that_does_not_answer()
    {
        var (topic, _) = await TopicWithChannelAsync(0);
        var port = FreePorts.Take(1)[0];
        AssertError(await Admin.DeleteAsync($"/api/nodes/127.0.0.1:{port}", $$"""{"topic":"{{topic}}"}"""), HttpStatusCode.BadGateway,
            $"UPSTREAM_ERROR: failed to query any nsqd: Get \"http://127.0.0.1:{port}/info\": dial tcp 127.0.0.1:{port}: connect: connection refused");
    }

    [Theory]
    [InlineData("", "EOF")]
    [InlineData("x", "invalid character 'x' looking for beginning of value")]
    [InlineData("""{"action":""", "unexpected EOF")]
    [InlineData("""{"action":5}""", "json: cannot unmarshal number into Go struct field .action of type string")]
    [InlineData("""{"action":"explode"}""", "INVALID_ACTION")]
    [InlineData("{}", "INVALID_ACTION")]
    public async Task A_malformed_action_body_is_400_with_gos_decoding_error(string body, string message)
    {
        var (topic, channel) = await TopicWithChannelAsync(0);
        AssertError(await Admin.PostAsync($"/api/topics/{topic}/{channel}", body), HttpStatusCode.BadRequest, message);
        AssertError(await Admin.PostAsync($"/api/topics/{topic}", body), HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("""{"topic":"bad topic"}""", "INVALID_TOPIC")]
    [InlineData("""{"topic":"ok","channel":"bad/channel"}""", "INVALID_CHANNEL")]
    [InlineData("""{}""", "INVALID_TOPIC")]
    [InlineData("""nope""", "invalid character 'o' in literal null (expecting 'u')")]
    public async Task A_bad_create_body_is_400_with_nsqadmins_message(string body, string message)
    {
        AssertError(await Admin.PostAsync("/api/topics", body), HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("", "INVALID_BODY")]
    [InlineData("[", "INVALID_BODY")]
    [InlineData("""{"topic":"no spaces"}""", "INVALID_TOPIC")]
    public async Task A_bad_tombstone_body_is_400_with_nsqadmins_message(string body, string message)
    {
        AssertError(await Admin.DeleteAsync($"/api/nodes/{Silo.HttpAddress}", body), HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task An_unknown_channel_of_a_known_topic_is_nsqadmins_500_INTERNAL_ERROR()
    {
        var (topic, _) = await TopicWithChannelAsync(0);
        AssertError(await Admin.GetAsync($"/api/topics/{topic}/{Unique("none")}"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }

    [Fact]
    public async Task Unknown_paths_are_404_NOT_FOUND_and_known_paths_with_another_method_405()
    {
        AssertError(await Admin.GetAsync("/api/nope"), HttpStatusCode.NotFound, "NOT_FOUND");
        AssertError(await Admin.SendAsync(HttpMethod.Put, "/api/topics", "{}"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        AssertError(await Admin.DeleteAsync("/api/nodes"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task Graphite_without_a_graphite_url_checks_its_arguments_then_fails_as_nsqadmin_does()
    {
        AssertError(await Admin.GetAsync("/api/graphite"), HttpStatusCode.BadRequest, "INVALID_ARG_METRIC");
        AssertError(await Admin.GetAsync("/api/graphite?metric=rate"), HttpStatusCode.BadRequest, "INVALID_ARG_TARGET");
        AssertError(await Admin.GetAsync("/api/graphite?metric=rate&target=x"), HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
    }
}
