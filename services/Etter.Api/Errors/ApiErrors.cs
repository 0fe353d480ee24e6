using Etter.Contracts;

namespace Etter.Api.Errors;

/// <summary>
/// The old service's error envelope, <c>{"detail": {"error", "message", "recoverable"}}</c>, so existing
/// clients keep parsing our errors.
/// </summary>
public static class ApiErrors
{
    public const string InternalError = "INTERNAL_ERROR";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";

    public static IResult Envelope(int statusCode, string code, string message, bool recoverable) =>
        Results.Json(new ErrorEnvelope(new ErrorDetail(code, message, recoverable)), statusCode: statusCode);

    public static IResult Validation(string message) =>
        Envelope(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, message, recoverable: false);

    public static IResult NotFound(string message) =>
        Envelope(StatusCodes.Status404NotFound, ErrorCodes.NotFound, message, recoverable: false);

    public static IResult Unavailable(string message) =>
        Envelope(StatusCodes.Status503ServiceUnavailable, ServiceUnavailable, message, recoverable: true);

    /// <summary>422 in the shape FastAPI/pydantic used for missing or malformed fields: <c>{"detail": [{loc, msg, type}]}</c>.</summary>
    public static IResult Unprocessable(IEnumerable<FieldProblem> problems) =>
        Results.Json(new { detail = problems.Select(p => new { loc = p.Location, msg = p.Message, type = p.Type }) }, statusCode: StatusCodes.Status422UnprocessableEntity);
}

public sealed record ErrorEnvelope(ErrorDetail Detail);

public sealed record ErrorDetail(string Error, string Message, bool Recoverable);

/// <param name="Location">Property names (strings) and list positions (numbers), from <c>"body"</c> down, as pydantic's <c>loc</c>.</param>
public sealed record FieldProblem(IReadOnlyList<object> Location, string Message, string Type)
{
    public static FieldProblem Missing(params string[] location) => new(["body", .. location], "field required", "value_error.missing");
}
