using System.Text;
using Etter.RoleSetup.Documents;
using static Etter.RoleSetup.Tests.Documents.TestDocuments;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class DocumentTextExtractorTests
{
    readonly DocumentTextExtractor _extractor = new();

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("text/plain; charset=utf-8", null, DocumentKind.PlainText)]
    [InlineData("text/markdown", "jd.pdf", DocumentKind.Markdown)]
    [InlineData("TEXT/HTML", null, DocumentKind.Html)]
    [InlineData("application/pdf", null, DocumentKind.Pdf)]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", null, DocumentKind.Docx)]
    [InlineData(null, "Role.DOCX", DocumentKind.Docx)]
    [InlineData("application/octet-stream", "jd.md", DocumentKind.Markdown)]
    [InlineData(null, "page.htm", DocumentKind.Html)]
    public void Detect_ContentTypeFirstThenExtension(string? contentType, string? fileName, DocumentKind expected)
    {
        Assert.Equal(expected, DocumentTextExtractor.Detect(Utf8("anything"), contentType, fileName));
    }

    [Fact]
    public void Detect_NoHints_SniffsPdfDocxHtmlAndText()
    {
        Assert.Equal(DocumentKind.Pdf, DocumentTextExtractor.Detect(Pdf("x"), null, null));
        Assert.Equal(DocumentKind.Docx, DocumentTextExtractor.Detect(Docx((Style.Body, "x")), "application/octet-stream", "download"));
        Assert.Equal(DocumentKind.Html, DocumentTextExtractor.Detect(Utf8("  <!DOCTYPE html><p>x</p>"), null, null));
        Assert.Equal(DocumentKind.PlainText, DocumentTextExtractor.Detect(Utf8("Claims Adjuster\nDuties"), null, null));
    }

    [Fact]
    public void Detect_BinaryOrPlainZip_IsNotSupported()
    {
        Assert.Null(DocumentTextExtractor.Detect([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0], "image/png", "logo.png"));

        using var zip = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(archive.CreateEntry("readme.txt").Open());
            writer.Write("not a word document");
        }

        Assert.Null(DocumentTextExtractor.Detect(zip.ToArray(), null, null));
    }

    [Fact]
    public void Extract_UnsupportedFormat_ThrowsWithTheContentType()
    {
        var error = Assert.Throws<DocumentExtractionException>(() => _extractor.Extract([0, 1, 2, 3], "application/msword", "jd.doc"));

        Assert.Contains("application/msword", error.Message, StringComparison.Ordinal);
        Assert.Contains("jd.doc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_DropsScriptsStylesAndComments_KeepsBulletsAndHeadings()
    {
        const string html = """
            <html><head><title>Ignored</title><style>p{}</style></head><body>
            <script type="text/javascript">if (a < b) { alert("x"); }</script>
            <h2 class="x">What you'll do</h2>
            <ol><li>Plan&nbsp;work</li><li>Lead <a href="/t?a=1&amp;b=2">teams</a></li></ol>
            <p>Salary &lt; &#36;100k<br>Remote &mdash; ok</p>
            <!-- <li>hidden</li> -->
            <template><li>also hidden</li></template>
            <table><tr><td>Team</td><td>Claims</td></tr></table>
            </body></html>
            """;

        var text = _extractor.Extract(Utf8(html), "text/html", null);

        Assert.Equal("## What you'll do\n- Plan work\n- Lead teams\nSalary < $100k\nRemote — ok\nTeam Claims\n", text);
    }

    [Fact]
    public void Html_UnclosedScript_DropsTheRestInsteadOfLeakingCode()
    {
        var text = _extractor.Extract(Utf8("<p>Keep</p><script>var x = 1;"), "text/html", null);

        Assert.Equal("Keep\n", text);
    }

    [Fact]
    public void PlainText_HonoursBomAndCharset()
    {
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. Utf8("Café\r\nDuties")];
        Assert.Equal("Café\nDuties\n", _extractor.Extract(withBom, "text/plain", null));

        var latin1 = Encoding.Latin1.GetBytes("Café");
        Assert.Equal("Café\n", _extractor.Extract(latin1, "text/plain; charset=iso-8859-1", null));
    }

    [Fact]
    public void Pdf_PagesAreReadInOrder()
    {
        var pdf = Pdf(["Claims Adjuster", "Overview of the role"], ["Requirements:", "- Licence"]);

        var text = _extractor.Extract(pdf, "application/pdf", null);

        DocumentFetcherTests.AssertInOrder(text, "Claims Adjuster", "Overview of the role", "Requirements:", "- Licence");
    }

    [Fact]
    public void Pdf_Damaged_ThrowsExtractionError()
    {
        var error = Assert.Throws<DocumentExtractionException>(() => _extractor.Extract(Utf8("%PDF-1.7\ngarbage"), null, "jd.pdf"));

        Assert.Contains("PDF could not be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Docx_HeadingsBecomeHeadingLinesAndListParagraphsBullets()
    {
        var text = _extractor.Extract(Docx(SampleDocxParagraphs), null, "jd.docx");

        Assert.Equal(
            "# Claims Adjuster\nInvestigates and settles insurance claims.\n# Responsibilities\n- Inspect damaged property\n- Negotiate settlements\n## Requirements\nValid adjuster licence\n",
            text);
    }

    [Fact]
    public void Docx_Damaged_ThrowsExtractionError()
    {
        Assert.Throws<DocumentExtractionException>(() => _extractor.Extract(Utf8("PK\u0003\u0004 nope"), null, "jd.docx"));
    }

    [Fact]
    public void ExtractedDocx_FormatsIntoTheJobDescriptionShape()
    {
        var text = _extractor.Extract(Docx(SampleDocxParagraphs), null, "jd.docx");

        var markdown = Etter.RoleSetup.JobDescriptions.JobDescriptionFormatter.Format("Claims Adjuster", text);

        Assert.Contains("## Key Responsibilities\n\n- Inspect damaged property\n- Negotiate settlements\n", markdown, StringComparison.Ordinal);
        Assert.Contains("## Requirements\n\n- Valid adjuster licence\n", markdown, StringComparison.Ordinal);
    }
}
