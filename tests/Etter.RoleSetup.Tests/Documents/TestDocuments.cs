using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Etter.RoleSetup.Tests.Documents;

/// <summary>Small real PDF and DOCX files, built in memory for the extraction tests.</summary>
static class TestDocuments
{
    /// <summary>A PDF whose pages hold the given lines, top to bottom (Helvetica, one line per 20 points).</summary>
    public static byte[] Pdf(params string[][] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(595, 842);
            var y = 800.0;
            foreach (var line in lines)
            {
                page.AddText(line, 12, new PdfPoint(50, y), font);
                y -= 20;
            }
        }

        return builder.Build();
    }

    public static byte[] Pdf(params string[] lines) => Pdf([lines]);

    public enum Style { Body, Title, Heading1, Heading2, Bullet, ListParagraph }

    /// <summary>A DOCX with the given paragraphs: headings by style id, bullets by numbering properties.</summary>
    public static byte[] Docx(params (Style Style, string Text)[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            foreach (var (style, text) in paragraphs)
            {
                var properties = style switch
                {
                    Style.Title => new ParagraphProperties(new ParagraphStyleId { Val = "Title" }),
                    Style.Heading1 => new ParagraphProperties(new ParagraphStyleId { Val = "Heading1" }),
                    Style.Heading2 => new ParagraphProperties(new ParagraphStyleId { Val = "Heading2" }),
                    Style.Bullet => new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 })),
                    Style.ListParagraph => new ParagraphProperties(new ParagraphStyleId { Val = "ListParagraph" }),
                    _ => null,
                };
                var paragraph = new Paragraph();
                if (properties is not null)
                {
                    paragraph.Append(properties);
                }

                paragraph.Append(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
                body.Append(paragraph);
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }

    public static (Style, string)[] SampleDocxParagraphs =>
    [
        (Style.Title, "Claims Adjuster"),
        (Style.Body, "Investigates and settles insurance claims."),
        (Style.Heading1, "Responsibilities"),
        (Style.Bullet, "Inspect damaged property"),
        (Style.ListParagraph, "Negotiate settlements"),
        (Style.Heading2, "Requirements"),
        (Style.Body, "Valid adjuster licence"),
    ];
}
