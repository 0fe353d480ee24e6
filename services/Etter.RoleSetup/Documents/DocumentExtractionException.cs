namespace Etter.RoleSetup.Documents;

/// <summary>A document's format is not supported, or the document is damaged and no text could be read from it.</summary>
public sealed class DocumentExtractionException : Exception
{
    public DocumentExtractionException()
        : this("No text could be extracted from the document.")
    {
    }

    public DocumentExtractionException(string message)
        : base(message)
    {
    }

    public DocumentExtractionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
