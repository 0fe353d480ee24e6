using System.Net;

namespace Etter.Dashboard.Tests;

/// <summary>How the API serves the dashboard's files (no browser needed).</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardAssetTests(MockEngineHost mock, KeyedHost keyed)
{
    [Theory]
    [InlineData("dashboard/", "text/html")]
    [InlineData("dashboard/index.html", "text/html")]
    [InlineData("dashboard/dashboard.css", "text/css")]
    [InlineData("dashboard/dashboard.js", "text/javascript")]
    public async Task DashboardFile_IsServedWithItsContentTypeAndNoCache(string path, string mediaType)
    {
        using var response = await mock.Api.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.True(response.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        Assert.NotNull(response.Headers.ETag);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task DashboardWithoutSlash_RedirectsToTheSlashedPath()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = mock.BaseUrl };

        using var response = await client.GetAsync("dashboard");

        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect, $"got {response.StatusCode}");
        Assert.Equal("/dashboard/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task IndexPage_ForbidsInlineScriptsAndFraming()
    {
        using var response = await mock.Api.GetAsync("dashboard/");

        var policy = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnchangedFile_IsAnswered304()
    {
        using var first = await mock.Api.GetAsync("dashboard/dashboard.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "dashboard/dashboard.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await mock.Api.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("dashboard/nope.js")]
    [InlineData("dashboard/appsettings.json")]
    [InlineData("dashboard/..%2Fappsettings.json")]
    [InlineData("dashboard/DashboardEndpoints.cs")]
    public async Task AnythingButTheDashboardFiles_IsNotFound(string path)
    {
        using var response = await mock.Api.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task KeyedApi_StillServesThePageWithoutAKey()
    {
        using var client = new HttpClient { BaseAddress = keyed.BaseUrl };

        using var page = await client.GetAsync("dashboard/");
        using var data = await client.GetAsync("api/v1/pipeline/workflows");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
    }
}
