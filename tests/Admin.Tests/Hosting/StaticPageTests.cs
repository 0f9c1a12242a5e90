using System.Net;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Hosting;

/// <summary>The built-in admin serves the UI from the assembly: every nsqadmin page route answers the single page,
/// with its content type and an ETag a browser revalidates with.</summary>
public sealed class StaticPageTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/topics")]
    [InlineData("/topics/some-topic")]
    [InlineData("/topics/some-topic/some-channel")]
    [InlineData("/nodes")]
    [InlineData("/nodes/127.0.0.1:4151")]
    [InlineData("/lookup")]
    [InlineData("/counter")]
    public async Task Every_page_route_answers_the_single_page_index(string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{Silo.AdminHttpAddress}{path}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("<html", await response.Content.ReadAsStringAsync());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task The_index_is_304_not_modified_for_its_own_etag()
    {
        using var http = new HttpClient();
        using var first = await http.GetAsync($"http://{Silo.AdminHttpAddress}/index.html");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Get, $"http://{Silo.AdminHttpAddress}/");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task Ping_answers_OK_as_plain_text()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{Silo.AdminHttpAddress}/ping");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public void Every_embedded_file_is_served_with_a_content_type()
    {
        var assets = new OrleansNsq.Admin.Ui.UiAssets();
        Assert.NotNull(assets.Index);
        foreach (var path in assets.Paths)
        {
            var asset = assets.Find(path)!;
            Assert.NotEqual("application/octet-stream", asset.ContentType);
        }
    }
}
