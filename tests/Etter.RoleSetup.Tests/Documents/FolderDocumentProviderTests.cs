using System.Text;
using Etter.RoleSetup.Documents;
using Etter.RoleSetup.Taxonomy;
using Etter.TestSupport;
using static Etter.RoleSetup.Tests.Documents.TestDocuments;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class FolderDocumentProviderTests : IDisposable
{
    static readonly DateTime Old = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    static readonly DateTime Newer = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    static readonly DateTime Newest = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    FolderDocumentProvider Provider(long maxBytes = 10 * 1024 * 1024) => new(_root.Path, new DocumentTextExtractor(), maxBytes);

    void Put(string relativePath, byte[] content, DateTime modified)
    {
        var path = Path.Combine(_root.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, modified);
    }

    void PutText(string relativePath, string text, DateTime modified) => Put(relativePath, Encoding.UTF8.GetBytes(text), modified);

    Task<ProvidedDocument?> FindAsync(string company = "Liberty Mutual", string role = "Claims Adjuster", FolderDocumentProvider? provider = null) =>
        (provider ?? Provider()).FindBestAsync(company, role, CancellationToken.None);

    [Fact]
    public async Task PdfBeatsDocxBeatsOther_EvenWhenOlder()
    {
        Put("liberty-mutual/claims-adjuster/jd.pdf", Pdf("From the PDF"), Old);
        Put("liberty-mutual/claims-adjuster/jd.docx", Docx((Style.Body, "From the DOCX")), Newer);
        PutText("liberty-mutual/claims-adjuster/jd.md", "From the markdown", Newest);

        var picked = await FindAsync();

        Assert.Equal("jd.pdf", picked!.Name);
        Assert.Equal(DocumentKind.Pdf, picked.Kind);
        Assert.Contains("From the PDF", picked.Text, StringComparison.Ordinal);
        Assert.Equal("provider:folder:jd.pdf", picked.Source);
    }

    [Fact]
    public async Task WithoutPdf_DocxBeatsNewerText()
    {
        Put("liberty-mutual/claims-adjuster/jd.docx", Docx((Style.Body, "From the DOCX")), Old);
        PutText("liberty-mutual/claims-adjuster/notes.txt", "From the text", Newest);

        var picked = await FindAsync();

        Assert.Equal("jd.docx", picked!.Name);
        Assert.Equal("From the DOCX\n", picked.Text);
    }

    [Fact]
    public async Task SameFormat_NewestFirst()
    {
        Put("liberty-mutual/claims-adjuster/2024.pdf", Pdf("Old version"), Old);
        Put("liberty-mutual/claims-adjuster/2026.pdf", Pdf("New version"), Newest);
        Put("liberty-mutual/claims-adjuster/2025.pdf", Pdf("Middle version"), Newer);

        var picked = await FindAsync();

        Assert.Equal("2026.pdf", picked!.Name);
        Assert.Equal(new DateTimeOffset(Newest), picked.ModifiedAt);
    }

    [Fact]
    public async Task ExactRoleFolder_BeatsPartialMatchWithABetterFormat()
    {
        Put("liberty-mutual/senior-claims-adjuster/jd.pdf", Pdf("Senior role"), Newest);
        PutText("liberty-mutual/Claims Adjuster/jd.txt", "The exact role", Old);

        var picked = await FindAsync();

        Assert.Equal("The exact role\n", picked!.Text);
    }

    [Fact]
    public async Task OnlyPartialMatches_TheBestOfThemIsPicked()
    {
        PutText("liberty-mutual/senior-claims-adjuster/jd.txt", "Senior text", Newest);
        Put("liberty-mutual/claims-adjuster-ii/jd.docx", Docx((Style.Body, "Level two")), Old);
        PutText("liberty-mutual/risk-analyst/jd.txt", "Unrelated", Newest);

        var picked = await FindAsync();

        Assert.Equal("Level two\n", picked!.Text);
    }

    [Fact]
    public async Task CompanyFolder_MatchesBySlugOrCaseButNotPartially()
    {
        PutText("WALMART INC/store-manager/jd.md", "# Store Manager", Old);
        PutText("walmart/store-manager/jd.md", "# Wrong company", Newest);

        var picked = await FindAsync("Walmart Inc.", "Store Manager");

        Assert.Equal("# Store Manager\n", picked!.Text);
        Assert.Null(await FindAsync("Walmart Incorporated", "Store Manager"));
    }

    [Fact]
    public async Task UnreadableOrEmptyFiles_AreSkippedForTheNextCandidate()
    {
        Put("liberty-mutual/claims-adjuster/broken.pdf", Encoding.ASCII.GetBytes("%PDF-1.7 not really"), Newest);
        PutText("liberty-mutual/claims-adjuster/blank.docx", "", Newest);
        Put("liberty-mutual/claims-adjuster/logo.png", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0], Newest);
        PutText("liberty-mutual/claims-adjuster/.hidden.pdf", "%PDF-", Newest);
        PutText("liberty-mutual/claims-adjuster/jd.html", "<h1>Claims Adjuster</h1><ul><li>Inspect</li></ul>", Old);

        var picked = await FindAsync();

        Assert.Equal("jd.html", picked!.Name);
        Assert.Equal("# Claims Adjuster\n- Inspect\n", picked.Text);
    }

    [Fact]
    public async Task FileWithoutExtension_IsSniffed()
    {
        Put("liberty-mutual/claims-adjuster/download", Docx((Style.Body, "Sniffed DOCX")), Old);
        PutText("liberty-mutual/claims-adjuster/jd.txt", "Text", Newest);

        var picked = await FindAsync();

        Assert.Equal(DocumentKind.Docx, picked!.Kind);
    }

    [Fact]
    public async Task FilesLargerThanMaxBytes_AreIgnored()
    {
        Put("liberty-mutual/claims-adjuster/huge.pdf", Pdf("Big"), Newest);
        PutText("liberty-mutual/claims-adjuster/jd.txt", "Small", Old);

        var picked = await FindAsync(provider: Provider(maxBytes: 100));

        Assert.Equal("jd.txt", picked!.Name);
    }

    [Fact]
    public async Task NothingForTheRole_OrNoRootFolder_IsNull()
    {
        PutText("liberty-mutual/risk-analyst/jd.txt", "Risk", Old);

        Assert.Null(await FindAsync());
        Assert.Null(await new FolderDocumentProvider(Path.Combine(_root.Path, "missing"), new DocumentTextExtractor()).FindBestAsync("Liberty Mutual", "Claims Adjuster", CancellationToken.None));
    }

    [Fact]
    public async Task PushedNamesWithDotDot_CannotLeaveTheRoot()
    {
        PutText("inside/claims/jd.txt", "Inside", Old);

        Assert.Null(await FindAsync("..", "claims"));
        Assert.Null(await FindAsync("../..", "etc"));
    }

    [Theory]
    [InlineData("claims-adjuster", "Claims Adjuster", true)]
    [InlineData("CLAIMS ADJUSTER", "claims  adjuster", true)]
    [InlineData("Claims_Adjuster", "Claims Adjuster", true)]
    [InlineData("senior-claims-adjuster", "Claims Adjuster", false)]
    [InlineData("underwriter", "Senior Underwriter", false)]
    [InlineData("claims", "Claims Adjuster", false)]
    [InlineData("adjusters", "Claims Adjuster", null)]
    [InlineData("risk-analyst", "Claims Adjuster", null)]
    public void Match_ExactPartialOrNone(string folder, string role, bool? expected)
    {
        Assert.Equal(expected, DocumentPriority.Match(folder, role));
    }

    [Fact]
    public void Order_MatchThenFormatThenNewestThenName()
    {
        var now = DateTimeOffset.UtcNow;
        DocumentCandidate[] candidates =
        [
            new("partial.pdf", DocumentKind.Pdf, now, ExactMatch: false),
            new("b.txt", DocumentKind.PlainText, now, ExactMatch: true),
            new("old.pdf", DocumentKind.Pdf, now.AddDays(-1), ExactMatch: true),
            new("a.txt", DocumentKind.PlainText, now, ExactMatch: true),
            new("new.docx", DocumentKind.Docx, now.AddDays(1), ExactMatch: true),
            new("new.pdf", DocumentKind.Pdf, now, ExactMatch: true),
        ];

        Assert.Equal(["new.pdf", "old.pdf", "new.docx", "a.txt", "b.txt", "partial.pdf"], DocumentPriority.Order(candidates).Select(c => c.Name));
    }

    [Fact]
    public async Task SampleProvider_ReturnsTheBuiltInJdAsMarkdown()
    {
        var provider = new SampleDocumentProvider(new SampleJobDescriptions());

        var picked = await provider.FindBestAsync("Liberty Mutual", "Claims Adjuster", CancellationToken.None);

        Assert.Equal(DocumentKind.Markdown, picked!.Kind);
        Assert.Equal("provider:sample", picked.Source);
        Assert.Equal("claims-adjuster.md", picked.Name);
        Assert.Contains("Claims Adjuster", picked.Text, StringComparison.Ordinal);
        Assert.Null(await provider.FindBestAsync("Liberty Mutual", "Astronaut", CancellationToken.None));
    }
}
