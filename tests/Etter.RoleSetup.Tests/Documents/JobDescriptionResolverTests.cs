using Etter.Contracts;
using Etter.RoleSetup.Documents;
using Etter.RoleSetup.JobDescriptions;
using Microsoft.Extensions.Options;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class JobDescriptionResolverTests(LocalDocumentServer server) : IClassFixture<LocalDocumentServer>, IDisposable
{
    readonly HttpClient _client = new(DocumentFetcher.CreateHandler(AllowLoopback(), new RecordingDialer().DialAsync));
    readonly FakeProvider _provider = new();

    public void Dispose() => _client.Dispose();

    static DocumentFetchOptions AllowLoopback()
    {
        var options = new DocumentFetchOptions { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromSeconds(2) };
        options.AllowedHosts.Add("127.0.0.1");
        return options;
    }

    JobDescriptionResolver Resolver() =>
        new(new DocumentFetcher(_client, Options.Create(AllowLoopback()), new DocumentTextExtractor()), _provider);

    Task<SelectedJobDescription?> ResolveAsync(params RoleDocument[] documents) =>
        Resolver().ResolveAsync("Liberty Mutual", "Claims Adjuster", documents, CancellationToken.None);

    sealed class FakeProvider : IDocumentProvider
    {
        public ProvidedDocument? Answer { get; set; } = new("jd.pdf", DocumentKind.Pdf, "From the provider", null, "provider:folder:jd.pdf");

        public int Calls { get; private set; }

        public Task<ProvidedDocument?> FindBestAsync(string companyName, string roleName, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(Answer);
        }
    }

    [Fact]
    public async Task JobDescriptionWithContent_WinsOverEarlierDocumentsAndUris()
    {
        var selected = await ResolveAsync(
            new RoleDocument { Type = DocumentTypes.Sop, Content = "SOP text" },
            new RoleDocument { Type = DocumentTypes.JobDescription, Uri = $"{server.Url}/jd.txt" },
            new RoleDocument { Type = "Job-Description", Content = "JD text", Name = "jd.md" });

        Assert.Equal(new SelectedJobDescription("JD text", "document:jd.md"), selected);
        Assert.Equal(0, _provider.Calls);
    }

    [Fact]
    public async Task AnyDocumentWithContent_WinsOverAUri()
    {
        var selected = await ResolveAsync(
            new RoleDocument { Type = DocumentTypes.JobDescription, Uri = $"{server.Url}/jd.txt" },
            new RoleDocument { Type = DocumentTypes.Other, Content = "   " },
            new RoleDocument { Type = DocumentTypes.ProcessMap, Content = "Process text" });

        Assert.Equal(new SelectedJobDescription("Process text", "document"), selected);
    }

    [Fact]
    public async Task WithoutContent_TheUriIsFetchedAndExtracted()
    {
        var selected = await ResolveAsync(
            new RoleDocument { Type = DocumentTypes.Other, Uri = $"{server.Url}/jd.md" },
            new RoleDocument { Type = DocumentTypes.JobDescription, Uri = $"{server.Url}/jd.docx?sig=secret" });

        Assert.Equal("uri:127.0.0.1", selected!.Source);
        Assert.StartsWith("# Claims Adjuster\n", selected.RawText, StringComparison.Ordinal);
        Assert.Contains("- Inspect damaged property", selected.RawText, StringComparison.Ordinal);
        Assert.Equal(0, _provider.Calls);
    }

    [Fact]
    public async Task WithoutJobDescriptionTypedUri_TheFirstUriIsUsed()
    {
        var selected = await ResolveAsync(
            new RoleDocument { Type = DocumentTypes.Other, Uri = $"{server.Url}/jd.html" },
            new RoleDocument { Type = DocumentTypes.Sop, Uri = $"{server.Url}/jd.md" });

        Assert.StartsWith("# Claims Adjuster\nInvestigates & settles claims.", selected!.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingUri_ThrowsInsteadOfFallingBackToTheProvider()
    {
        var error = await Assert.ThrowsAsync<DocumentFetchException>(() => ResolveAsync(
            new RoleDocument { Type = DocumentTypes.JobDescription, Uri = $"{server.Url}/broken" }));

        Assert.True(error.Error.Recoverable);
        Assert.Equal("DOCUMENT_FETCH_FAILED", error.Error.Code);
        Assert.Equal(0, _provider.Calls);
    }

    [Fact]
    public async Task ForbiddenUri_ThrowsANonRecoverableError()
    {
        var error = await Assert.ThrowsAsync<DocumentFetchException>(() => ResolveAsync(
            new RoleDocument { Type = DocumentTypes.JobDescription, Uri = "http://169.254.169.254/latest/meta-data/iam" }));

        Assert.False(error.Error.Recoverable);
    }

    [Fact]
    public async Task NoDocuments_TheProvidersPickIsUsed()
    {
        var selected = await Resolver().ResolveAsync("Liberty Mutual", "Claims Adjuster", null, CancellationToken.None);

        Assert.Equal(new SelectedJobDescription("From the provider", "provider:folder:jd.pdf"), selected);
        Assert.Equal(1, _provider.Calls);
    }

    [Fact]
    public async Task DocumentsWithNeitherContentNorUri_FallToTheProvider()
    {
        var selected = await ResolveAsync(new RoleDocument { Type = DocumentTypes.JobDescription, Name = "empty" });

        Assert.Equal("provider:folder:jd.pdf", selected!.Source);
    }

    [Fact]
    public async Task NothingAnywhere_IsNull()
    {
        _provider.Answer = null;

        Assert.Null(await ResolveAsync());
    }

    [Fact]
    public async Task LongSource_IsCutToTheColumnWidth()
    {
        var selected = await ResolveAsync(new RoleDocument { Content = "x", Name = new string('n', 200) });

        Assert.Equal(JobDescriptionResolver.MaxSourceLength, selected!.Source.Length);
        Assert.StartsWith("document:nnn", selected.Source, StringComparison.Ordinal);
    }
}
