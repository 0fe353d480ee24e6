namespace Etter.RoleSetup.Documents;

/// <summary>The document formats text can be extracted from.</summary>
public enum DocumentKind
{
    PlainText,
    Markdown,
    Html,
    Pdf,
    Docx,
}
