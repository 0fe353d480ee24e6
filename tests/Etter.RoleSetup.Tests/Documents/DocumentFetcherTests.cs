using System.Diagnostics;
using Etter.RoleSetup.Documents;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class DocumentFetcherTests(LocalDocumentServer server) : IClassFixture<LocalDocumentServer>, IDisposable
{
    readonly List<HttpClient> _clients = [];

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    DocumentFetcher Fetcher(RecordingDialer dialer, Action<DocumentFetchOptions>? configure = null, params string[] allowed)
    {
        var options = new DocumentFetchOptions { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromSeconds(2) };
        foreach (var entry in allowed)
        {
            options.AllowedHosts.Add(entry);
        }

        configure?.Invoke(options);
        var client = new HttpClient(DocumentFetcher.CreateHandler(options, dialer.DialAsync));
        _clients.Add(client);
        return new DocumentFetcher(client, Options.Create(options), new DocumentTextExtractor());
    }

    DocumentFetcher AllowedFetcher(RecordingDialer dialer, Action<DocumentFetchOptions>? configure = null) => Fetcher(dialer, configure, "127.0.0.1");

    static async Task<DocumentFetchException> FailsAsync(Func<Task> fetch) => await Assert.ThrowsAsync<DocumentFetchException>(fetch);

    static void AssertRefused(DocumentFetchException error, RecordingDialer dialer)
    {
        Assert.Equal(DocumentFetchException.ErrorCode, error.Error.Code);
        Assert.False(error.Error.Recoverable);
        Assert.StartsWith("Refused to fetch", error.Error.Message, StringComparison.Ordinal);
        Assert.Empty(dialer.NonLoopbackAttempts);
    }

    [Fact]
    public async Task LoopbackAddress_NotAllowListed_IsRefusedWithoutConnecting()
    {
        var dialer = new RecordingDialer();

        var error = await FailsAsync(() => Fetcher(dialer).FetchAsync($"{server.Url}/jd.txt", CancellationToken.None));

        AssertRefused(error, dialer);
        Assert.Empty(dialer.Attempts);
        Assert.Contains("loopback", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains("Etter:Documents:AllowedHosts", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoopbackAddress_AllowListed_IsFetched()
    {
        var dialer = new RecordingDialer();

        var document = await AllowedFetcher(dialer).FetchAsync($"{server.Url}/jd.txt", CancellationToken.None);

        Assert.Equal(LocalDocumentServer.PlainText, System.Text.Encoding.UTF8.GetString(document.Content));
        Assert.StartsWith("text/plain", document.ContentType, StringComparison.Ordinal);
        Assert.Equal("jd.txt", document.FileName);
        Assert.Single(dialer.Attempts);
    }

    [Fact]
    public async Task AllowListedByCidr_IsFetched()
    {
        var dialer = new RecordingDialer();

        var text = await Fetcher(dialer, allowed: "127.0.0.0/8").FetchTextAsync($"{server.Url}/jd.md", CancellationToken.None);

        Assert.Equal(LocalDocumentServer.Markdown, text.Text);
    }

    [Theory]
    [InlineData("http://10.0.0.1/jd.pdf")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://192.168.1.10:8080/jd.pdf")]
    [InlineData("http://172.16.0.5/jd.pdf")]
    [InlineData("http://100.64.0.1/jd.pdf")]
    [InlineData("http://0.0.0.0/jd.pdf")]
    [InlineData("http://224.0.0.1/jd.pdf")]
    [InlineData("http://[::1]/jd.pdf")]
    [InlineData("http://[fe80::1]/jd.pdf")]
    [InlineData("http://[fd00::1]/jd.pdf")]
    [InlineData("http://[::ffff:10.0.0.1]/jd.pdf")]
    [InlineData("http://[::ffff:169.254.169.254]/jd.pdf")]
    [InlineData("http://[::ffff:127.0.0.1]/jd.pdf")]
    [InlineData("http://[64:ff9b::a00:1]/jd.pdf")]
    [InlineData("http://[2002:a9fe:a9fe::1]/jd.pdf")]
    [InlineData("http://2130706433/jd.pdf")]
    public async Task ForbiddenAddress_IsRefusedWithoutConnecting(string url)
    {
        var dialer = new RecordingDialer();

        var error = await FailsAsync(() => Fetcher(dialer).FetchAsync(url, CancellationToken.None));

        AssertRefused(error, dialer);
        Assert.Empty(dialer.Attempts);
    }

    [Fact]
    public async Task HostNameResolvingToLoopback_IsRefusedOnConnectBeforeDialling()
    {
        var dialer = new RecordingDialer();

        var error = await FailsAsync(() => Fetcher(dialer).FetchAsync($"http://localhost:{server.Port}/jd.txt", CancellationToken.None));

        AssertRefused(error, dialer);
        Assert.Empty(dialer.Attempts);
        Assert.Contains("localhost is at", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostNameAllowListed_IsFetched()
    {
        var dialer = new RecordingDialer();

        var text = await Fetcher(dialer, allowed: "LOCALHOST").FetchTextAsync($"http://localhost:{server.Port}/jd.txt", CancellationToken.None);

        Assert.Equal(LocalDocumentServer.PlainText, text.Text);
        Assert.All(dialer.Attempts, a => Assert.True(System.Net.IPAddress.IsLoopback(a.Address)));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/jd.pdf")]
    [InlineData("gopher://example.com/jd")]
    public async Task NonHttpScheme_IsRefused(string url)
    {
        var dialer = new RecordingDialer();

        var error = await FailsAsync(() => Fetcher(dialer).FetchAsync(url, CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("only http and https", error.Error.Message, StringComparison.Ordinal);
        Assert.Empty(dialer.Attempts);
    }

    [Fact]
    public async Task RelativeOrMalformedUrl_IsRefused()
    {
        var error = await FailsAsync(() => Fetcher(new RecordingDialer()).FetchAsync("/jd.pdf?token=abc", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.DoesNotContain("token", error.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/redirect-metadata", "169.254.169.254")]
    [InlineData("/redirect-private", "10.0.0.1")]
    [InlineData("/redirect-ipv6-loopback", "::1")]
    public async Task RedirectFromAllowedServerToForbiddenAddress_IsRefused(string path, string forbidden)
    {
        var dialer = new RecordingDialer();

        var error = await FailsAsync(() => AllowedFetcher(dialer).FetchAsync($"{server.Url}{path}", CancellationToken.None));

        AssertRefused(error, dialer);
        Assert.Contains(forbidden, error.Error.Message, StringComparison.Ordinal);
        Assert.All(dialer.Attempts, a => Assert.Equal(server.Port, a.Port));
    }

    [Fact]
    public async Task RedirectToFileScheme_IsRefused()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}/redirect-file", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("only http and https", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectsWithinLimit_AreFollowed()
    {
        var document = await AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}/redirect-chain", CancellationToken.None);

        Assert.Equal($"{server.Url}/jd.txt", document.Uri.ToString());
    }

    [Fact]
    public async Task TooManyRedirects_FailNonRecoverably()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer(), o => o.MaxRedirects = 2).FetchAsync($"{server.Url}/redirect-loop", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("redirected more than 2 times", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedStreamedBody_IsAbortedNonRecoverably()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer(), o => o.MaxBytes = 10_000).FetchAsync($"{server.Url}/big", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("larger than the 10000 bytes allowed", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedDeclaredBody_IsRefusedBeforeReading()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer(), o => o.MaxBytes = 1000).FetchAsync($"{server.Url}/big-declared", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("declares 4096 bytes", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowServer_TimesOutRecoverably()
    {
        var watch = Stopwatch.StartNew();

        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer(), o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            o.ReadTimeout = TimeSpan.FromMilliseconds(300);
        }).FetchAsync($"{server.Url}/slow", CancellationToken.None));

        Assert.True(error.Error.Recoverable);
        Assert.Contains("did not arrive in time", error.Error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ConnectionThatNeverCompletes_TimesOutRecoverably()
    {
        var dialer = new RecordingDialer { Hang = true };

        var error = await FailsAsync(() => AllowedFetcher(dialer, o => o.ConnectTimeout = TimeSpan.FromMilliseconds(200)).FetchAsync($"{server.Url}/jd.txt", CancellationToken.None));

        Assert.True(error.Error.Recoverable);
        Assert.Single(dialer.Attempts);
    }

    [Fact]
    public async Task CallerCancellation_IsNotTurnedIntoAFetchError()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}/slow", cancelled.Token));
    }

    [Fact]
    public async Task ClientError_IsNonRecoverableAndKeepsQuerySecretsOut()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}/missing?token=s3cr3t&sig=abc", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Equal(DocumentFetchException.ErrorCode, error.Error.Code);
        Assert.Contains("404", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Url}/missing?…", error.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/broken", "503")]
    [InlineData("/too-many", "429")]
    public async Task ServerErrorOrThrottling_IsRecoverable(string path, string status)
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}{path}", CancellationToken.None));

        Assert.True(error.Error.Recoverable);
        Assert.Contains(status, error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_IsRecoverable()
    {
        // A port nobody listens on: find a free one, then close it.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchAsync($"http://127.0.0.1:{port}/jd.txt", CancellationToken.None));

        Assert.True(error.Error.Recoverable);
    }

    [Fact]
    public async Task Html_IsExtractedWithoutScriptsStylesOrNavigation()
    {
        var text = await AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/jd.html", CancellationToken.None);

        Assert.Equal(DocumentKind.Html, text.Kind);
        Assert.Equal("# Claims Adjuster\nInvestigates & settles claims.\n## Responsibilities\n- Inspect damage\n- Settle claims\n", text.Text);
    }

    [Fact]
    public async Task Markdown_IsKeptAsIs()
    {
        var text = await AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/jd.md", CancellationToken.None);

        Assert.Equal(DocumentKind.Markdown, text.Kind);
        Assert.Equal(LocalDocumentServer.Markdown, text.Text);
    }

    [Fact]
    public async Task Pdf_IsExtractedInPageOrder()
    {
        var text = await AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/jd.pdf", CancellationToken.None);

        Assert.Equal(DocumentKind.Pdf, text.Kind);
        AssertInOrder(text.Text, "Claims Adjuster", "Responsibilities:", "- Inspect damage");
    }

    [Fact]
    public async Task Docx_IsExtractedWithHeadingsAndBullets()
    {
        var text = await AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/jd.docx", CancellationToken.None);

        Assert.Equal(DocumentKind.Docx, text.Kind);
        Assert.Contains("- Inspect damaged property\n", text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OctetStreamWithoutExtension_IsSniffedAsPdf()
    {
        var text = await AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/download", CancellationToken.None);

        Assert.Equal(DocumentKind.Pdf, text.Kind);
        Assert.Contains("Claims Adjuster", text.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentDispositionFileName_IsUsedToChooseTheFormat()
    {
        var document = await AllowedFetcher(new RecordingDialer()).FetchAsync($"{server.Url}/attachment", CancellationToken.None);

        Assert.Equal("role.docx", document.FileName);
    }

    [Fact]
    public async Task UnsupportedContent_FailsNonRecoverably()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/picture", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("not in a supported format", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains("image/png", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyDocument_FailsNonRecoverably()
    {
        var error = await FailsAsync(() => AllowedFetcher(new RecordingDialer()).FetchTextAsync($"{server.Url}/empty.txt", CancellationToken.None));

        Assert.False(error.Error.Recoverable);
        Assert.Contains("contains no text", error.Error.Message, StringComparison.Ordinal);
    }

    internal static void AssertInOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' not found in order in:\n{text}");
            at = found + part.Length;
        }
    }
}
