using Etter.Contracts;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>
/// The role graph could not do what was asked. <see cref="Error"/> is ready to travel in a
/// <see cref="RoleSetupFailed"/> message; <see cref="Recoverable"/> says whether trying again may help
/// (Neo4j busy or unreachable) or not (bad credentials, a rejected statement).
/// </summary>
public sealed class RoleGraphException : Exception
{
    public RoleGraphException()
        : this("The role graph failed.")
    {
    }

    public RoleGraphException(string message)
        : this(message, innerException: null)
    {
    }

    public RoleGraphException(string message, Exception? innerException)
        : this(new OnboardingError { Code = ErrorCodes.RoleSetupFailed, Message = message, Recoverable = false }, neo4jCode: null, innerException)
    {
    }

    public RoleGraphException(OnboardingError error, string? neo4jCode = null, Exception? innerException = null)
        : base(error?.Message, innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = error;
        Neo4jCode = neo4jCode;
    }

    /// <summary>Code, message and recoverability in the shape of the workflow contracts.</summary>
    public OnboardingError Error { get; }

    public bool Recoverable => Error.Recoverable;

    /// <summary>The Neo4j status code (e.g. <c>Neo.ClientError.Statement.SyntaxError</c>), when the server sent one.</summary>
    public string? Neo4jCode { get; }
}
