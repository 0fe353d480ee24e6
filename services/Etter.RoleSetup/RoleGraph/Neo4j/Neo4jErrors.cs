using Etter.Contracts;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>
/// Turns what Neo4j (or the network) answered into a <see cref="RoleGraphException"/> with the right
/// recoverability: security problems and rejected statements are final, transient server states and
/// unreachable servers are worth another try.
/// </summary>
static class Neo4jErrors
{
    const string SecurityPrefix = "Neo.ClientError.Security.";
    const string TransientPrefix = "Neo.TransientError.";

    /// <summary>
    /// Transient by name but caused by someone deliberately stopping the transaction; the official drivers do
    /// not retry these either.
    /// </summary>
    static readonly string[] NonRetryableTransients =
    [
        "Neo.TransientError.Transaction.Terminated",
        "Neo.TransientError.Transaction.LockClientStopped",
    ];

    public static RoleGraphException FromServerError(string operation, int httpStatus, string code, string message)
    {
        if (httpStatus is 401 or 403 || code.StartsWith(SecurityPrefix, StringComparison.Ordinal))
        {
            return Create(
                $"Neo4j refused the role graph while {operation} ({code}: {message}). Check Etter:RoleGraph:Neo4j:User and Password and the user's privileges on the database; retrying will not help.",
                recoverable: false, code);
        }

        if (code.StartsWith(TransientPrefix, StringComparison.Ordinal) && !NonRetryableTransients.Contains(code, StringComparer.Ordinal))
        {
            return Create(
                $"Neo4j could not serve the role graph for now while {operation} ({code}: {message}); trying again later may succeed.",
                recoverable: true, code);
        }

        return Create($"Neo4j rejected the role graph's request while {operation}: {code}: {message}", recoverable: false, code);
    }

    public static RoleGraphException FromHttpStatus(string operation, int httpStatus, string? reason, string bodyExcerpt)
    {
        var status = $"HTTP {httpStatus}{(string.IsNullOrEmpty(reason) ? "" : " " + reason)}";
        var detail = string.IsNullOrWhiteSpace(bodyExcerpt) ? "" : $": {bodyExcerpt}";
        return httpStatus switch
        {
            401 or 403 => Create(
                $"Neo4j answered {status} while {operation}{detail}. Check Etter:RoleGraph:Neo4j:User and Password and the user's privileges; retrying will not help.",
                recoverable: false),
            408 or 429 or 502 or 503 or 504 => Create(
                $"Neo4j (or a proxy in front of it) answered {status} while {operation}{detail}; trying again later may succeed.",
                recoverable: true),
            _ => Create($"Neo4j answered {status} while {operation}{detail}", recoverable: false),
        };
    }

    public static RoleGraphException Unreachable(string operation, Uri endpoint, Exception exception) =>
        Create($"Neo4j at {Neo4jOptions.Describe(endpoint)} could not be reached while {operation}: {exception.Message}; trying again later may succeed.",
            recoverable: true, inner: exception);

    public static RoleGraphException TimedOut(string operation, Uri endpoint, TimeSpan timeout, Exception exception) =>
        Create($"Neo4j at {Neo4jOptions.Describe(endpoint)} did not answer within {timeout} while {operation}; trying again later may succeed.",
            recoverable: true, inner: exception);

    public static RoleGraphException Unexpected(string operation, string problem) =>
        Create($"Neo4j's answer while {operation} was not in the documented format: {problem}", recoverable: false);

    public static string Excerpt(string text, int max = 300) =>
        text.Length <= max ? text.Trim() : string.Concat(text.AsSpan(0, max).Trim(), "…");

    static RoleGraphException Create(string message, bool recoverable, string? code = null, Exception? inner = null) =>
        new(new OnboardingError { Code = ErrorCodes.RoleSetupFailed, Message = message, Recoverable = recoverable }, code, inner);
}
