using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// Reads the text of a document: plain text, markdown, HTML, PDF (page text in order) and DOCX (paragraphs,
/// list paragraphs as <c>- </c> bullets, headings as markdown heading lines). The format is chosen by content
/// type, then by file extension, then by sniffing the bytes (<c>%PDF</c>; a <c>PK</c> zip holding
/// <c>word/document.xml</c>; markup that opens like HTML; otherwise UTF-8 text without control characters).
/// </summary>
public sealed class DocumentTextExtractor
{
    /// <summary>The most characters one DOCX part may expand to; guards against zip bombs.</summary>
    const long MaxDocxPartCharacters = 50_000_000;

    const int SniffLength = 8192;

    /// <summary>Chooses the format, or null when nothing marks the content as a supported one.</summary>
    public static DocumentKind? Detect(ReadOnlySpan<byte> content, string? contentType, string? fileName) =>
        FromContentType(contentType) ?? FromFileName(fileName) ?? Sniff(content);

    /// <summary>The document's text with normalized line ends (possibly empty, e.g. for a scanned PDF).</summary>
    /// <exception cref="DocumentExtractionException">The format is not supported, or the document cannot be read.</exception>
    public string Extract(byte[] content, string? contentType, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(content);
        var kind = Detect(content, contentType, fileName)
            ?? throw new DocumentExtractionException(
                $"The document's format is not supported ({Describe(contentType, fileName)}); supported are plain text, markdown, HTML, PDF and DOCX.");
        return Extract(content, kind, contentType);
    }

    /// <summary>The text of a document already known to be of <paramref name="kind"/>.</summary>
    public string Extract(byte[] content, DocumentKind kind, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var text = kind switch
        {
            DocumentKind.PlainText or DocumentKind.Markdown => Decode(content, contentType),
            DocumentKind.Html => HtmlText.ToText(Decode(content, contentType)),
            DocumentKind.Pdf => PdfText(content),
            DocumentKind.Docx => DocxText(content),
            _ => throw new DocumentExtractionException($"Unsupported document kind {kind}."),
        };
        return NormalizeLines(text);
    }

    static DocumentKind? FromContentType(string? contentType)
    {
        var media = contentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return media switch
        {
            "text/plain" => DocumentKind.PlainText,
            "text/markdown" or "text/x-markdown" => DocumentKind.Markdown,
            "text/html" or "application/xhtml+xml" => DocumentKind.Html,
            "application/pdf" or "application/x-pdf" => DocumentKind.Pdf,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => DocumentKind.Docx,
            _ => null,
        };
    }

    static DocumentKind? FromFileName(string? fileName)
    {
        var extension = string.IsNullOrWhiteSpace(fileName) ? "" : Path.GetExtension(fileName.Trim()).ToLowerInvariant();
        return extension switch
        {
            ".txt" or ".text" => DocumentKind.PlainText,
            ".md" or ".markdown" => DocumentKind.Markdown,
            ".html" or ".htm" or ".xhtml" => DocumentKind.Html,
            ".pdf" => DocumentKind.Pdf,
            ".docx" => DocumentKind.Docx,
            _ => null,
        };
    }

    static DocumentKind? Sniff(ReadOnlySpan<byte> content)
    {
        var head = content[..Math.Min(content.Length, SniffLength)];

        // The PDF header may follow some junk; readers look within the first kilobyte.
        if (head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return DocumentKind.Pdf;
        }

        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return IsDocx(content) ? DocumentKind.Docx : null;
        }

        var text = head.StartsWith("\uFEFF"u8) ? head[3..] : head;
        if (!LooksLikeText(text))
        {
            return null;
        }

        var opening = Encoding.UTF8.GetString(text[..Math.Min(text.Length, 512)]).TrimStart();
        return opening.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase)
            || opening.StartsWith("<html", StringComparison.OrdinalIgnoreCase)
                ? DocumentKind.Html
                : DocumentKind.PlainText;
    }

    static bool IsDocx(ReadOnlySpan<byte> content)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content.ToArray(), writable: false), ZipArchiveMode.Read);
            return zip.GetEntry("word/document.xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>UTF-8 (a sequence cut at the end of the sample is fine) without NULs or other control characters.</summary>
    static bool LooksLikeText(ReadOnlySpan<byte> sample)
    {
        if (sample.IsEmpty)
        {
            return false;
        }

        foreach (var b in sample)
        {
            if (b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not 0x0C)
            {
                return false;
            }
        }

        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        try
        {
            var chars = new char[sample.Length];
            decoder.Convert(sample, chars, flush: false, out _, out _, out _);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    static string Decode(byte[] content, string? contentType)
    {
        var span = content.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            return Encoding.UTF8.GetString(span[3..]);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(span[2..]);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(span[2..]);
        }

        return CharsetOf(contentType).GetString(span);
    }

    static Encoding CharsetOf(string? contentType)
    {
        var charset = contentType?.Split(';').Skip(1)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim().Trim('"'))
            .FirstOrDefault();
        if (string.IsNullOrEmpty(charset))
        {
            return Encoding.UTF8;
        }

        try
        {
            return Encoding.GetEncoding(charset);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    static string PdfText(byte[] content)
    {
        try
        {
            using var pdf = PdfDocument.Open(content);
            var text = new StringBuilder();
            foreach (var page in pdf.GetPages())
            {
                text.AppendLine(ContentOrderTextExtractor.GetText(page)).AppendLine();
            }

            return text.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DocumentExtractionException($"The PDF could not be read: {ex.Message}", ex);
        }
    }

    static string DocxText(byte[] content)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            using var document = WordprocessingDocument.Open(stream, isEditable: false, new OpenSettings { MaxCharactersInPart = MaxDocxPartCharacters });
            var main = document.MainDocumentPart ?? throw new DocumentExtractionException("The DOCX has no main document part.");
            var body = main.Document?.Body;
            if (body is null)
            {
                return "";
            }

            var styles = DocxStyles.From(main.StyleDefinitionsPart?.Styles);
            var text = new StringBuilder();
            foreach (var paragraph in body.Descendants<Paragraph>())
            {
                var line = ParagraphText(paragraph);
                if (line.Length == 0)
                {
                    continue;
                }

                var properties = paragraph.ParagraphProperties;
                var styleId = properties?.ParagraphStyleId?.Val?.Value;
                var headingLevel = styles.HeadingLevel(styleId, properties?.OutlineLevel?.Val?.Value);
                if (headingLevel is { } level)
                {
                    text.Append('#', level).Append(' ');
                }
                else if (properties?.NumberingProperties is not null || styles.IsList(styleId))
                {
                    text.Append("- ");
                }

                text.AppendLine(line);
            }

            return text.ToString();
        }
        catch (Exception ex) when (ex is not DocumentExtractionException and not OutOfMemoryException)
        {
            throw new DocumentExtractionException($"The DOCX could not be read: {ex.Message}", ex);
        }
    }

    /// <summary>A paragraph's own text (nested text-box paragraphs are read on their own), tabs as spaces.</summary>
    static string ParagraphText(Paragraph paragraph)
    {
        var text = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            if (element is not (Text or TabChar or Break or CarriageReturn) || element.Ancestors<Paragraph>().FirstOrDefault() != paragraph)
            {
                continue;
            }

            text.Append(element is Text t ? t.Text : " ");
        }

        return string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    static string NormalizeLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var result = new StringBuilder(text.Length);
        var blank = 0;
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.Trim().Length == 0)
            {
                blank++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blank > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blank = 0;
        }

        return result.Length == 0 ? "" : result.Append('\n').ToString();
    }

    static string Describe(string? contentType, string? fileName)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(contentType))
        {
            parts.Add($"content type {contentType.Split(';', 2)[0].Trim()}");
        }

        if (!string.IsNullOrWhiteSpace(fileName))
        {
            parts.Add($"file {Path.GetFileName(fileName.Trim())}");
        }

        return parts.Count == 0 ? "no content type or file name, and the bytes are not recognized" : string.Join(", ", parts);
    }

    /// <summary>What a DOCX's styles say about headings and lists, by style id.</summary>
    sealed class DocxStyles
    {
        readonly Dictionary<string, (string Name, int? OutlineLevel, bool Numbered)> _styles = new(StringComparer.OrdinalIgnoreCase);

        public static DocxStyles From(Styles? styles)
        {
            var result = new DocxStyles();
            foreach (var style in styles?.Elements<Style>() ?? [])
            {
                if (style.StyleId?.Value is { Length: > 0 } id)
                {
                    result._styles[id] = (
                        style.StyleName?.Val?.Value ?? "",
                        style.StyleParagraphProperties?.OutlineLevel?.Val?.Value,
                        style.StyleParagraphProperties?.NumberingProperties is not null);
                }
            }

            return result;
        }

        /// <summary>1–6 for a title or heading paragraph, else null.</summary>
        public int? HeadingLevel(string? styleId, int? outlineLevel)
        {
            var known = styleId is null ? default : _styles.GetValueOrDefault(styleId);
            foreach (var name in new[] { styleId, known.Name })
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    continue;
                }

                var compact = name.Replace(" ", "", StringComparison.Ordinal);
                if (compact.Equals("Title", StringComparison.OrdinalIgnoreCase))
                {
                    return 1;
                }

                if (compact.StartsWith("Heading", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(compact.AsSpan(7), out var level) && level >= 1)
                {
                    return Math.Min(level, 6);
                }
            }

            // Outline level 0 is "Heading 1"; 9 means body text.
            var outline = outlineLevel ?? known.OutlineLevel;
            return outline is >= 0 and < 9 ? Math.Min(outline.Value + 1, 6) : null;
        }

        public bool IsList(string? styleId)
        {
            if (string.IsNullOrWhiteSpace(styleId))
            {
                return false;
            }

            var known = _styles.GetValueOrDefault(styleId);
            return known.Numbered
                || styleId.StartsWith("List", StringComparison.OrdinalIgnoreCase)
                || known.Name.StartsWith("List", StringComparison.OrdinalIgnoreCase);
        }
    }
}
