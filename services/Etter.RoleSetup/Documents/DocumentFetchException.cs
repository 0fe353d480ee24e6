using Etter.Contracts;

namespace Etter.RoleSetup.Documents;

/// <summary>
/// A document given by <c>uri</c> could not be fetched or read. <see cref="Error"/> is ready to travel in a
/// <see cref="RoleSetupFailed"/> message: code <see cref="ErrorCode"/>, a message naming the URL (without its
/// query string), and <see cref="OnboardingError.Recoverable"/> true only when trying again may help (timeouts,
/// 5xx, 408/429, connection failures) — never for an SSRF refusal, a 4xx, a too-large or an unreadable document.
/// </summary>
public sealed class DocumentFetchException : Exception
{
    /// <summary>The <see cref="OnboardingError.Code"/> of every document fetch failure.</summary>
    public const string ErrorCode = "DOCUMENT_FETCH_FAILED";

    public DocumentFetchException()
        : this("The document could not be fetched.")
    {
    }

    public DocumentFetchException(string message)
        : this(message, innerException: null)
    {
    }

    public DocumentFetchException(string message, Exception? innerException)
        : this(new OnboardingError { Code = ErrorCode, Message = message, Recoverable = false }, innerException)
    {
    }

    public DocumentFetchException(OnboardingError error, Exception? innerException = null)
        : base(error?.Message, innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
    }

    /// <summary>Code, message and recoverability in the shape of the workflow contracts.</summary>
    public OnboardingError Error { get; }

    public bool Recoverable => Error.Recoverable;

    internal static DocumentFetchException Create(string message, bool recoverable, Exception? innerException = null) =>
        new(new OnboardingError { Code = ErrorCode, Message = message, Recoverable = recoverable }, innerException);
}
