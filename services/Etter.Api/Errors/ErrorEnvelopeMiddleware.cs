using Etter.Contracts;
using Microsoft.AspNetCore.Diagnostics;

namespace Etter.Api.Errors;

/// <summary>
/// Answers that no endpoint wrote (an unmatched route, a wrong method, an unhandled failure) in the old service's
/// envelope instead of an empty body, so a client that reads <c>detail.error</c> gets a code and a message there too.
/// </summary>
public static class ErrorEnvelopeMiddleware
{
    public static WebApplication UseErrorEnvelopes(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // The middleware logs the exception; the client gets the code, never the exception's text.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteFailureAsync });
        app.UseStatusCodePages(context => WriteBareStatusAsync(context.HttpContext));
        return app;
    }

    static Task WriteFailureAsync(HttpContext http)
    {
        var failure = http.Features.Get<IExceptionHandlerFeature>()?.Error;
        return failure is BadHttpRequestException bad
            ? WriteAsync(http, bad.StatusCode, ErrorCodes.ValidationError, bad.Message, recoverable: false)
            : WriteAsync(http, StatusCodes.Status500InternalServerError, ApiErrors.InternalError,
                "The request failed on the server; it has been logged. Trying again may help.", recoverable: true);
    }

    static Task WriteBareStatusAsync(HttpContext http)
    {
        var status = http.Response.StatusCode;
        var request = $"{http.Request.Method} {http.Request.Path}";
        return status switch
        {
            StatusCodes.Status404NotFound => WriteAsync(http, status, ErrorCodes.NotFound, $"No endpoint answers {request}.", recoverable: false),
            StatusCodes.Status405MethodNotAllowed => WriteAsync(http, status, ApiErrors.MethodNotAllowed, $"{http.Request.Path} does not take {http.Request.Method}.", recoverable: false),
            StatusCodes.Status401Unauthorized => WriteAsync(http, status, ErrorCodes.Unauthorized, "An API key is required.", recoverable: false),
            >= 500 => WriteAsync(http, status, ApiErrors.InternalError, $"{request} failed on the server.", recoverable: true),
            _ => WriteAsync(http, status, ErrorCodes.ValidationError, $"{request} was refused ({status}).", recoverable: false),
        };
    }

    static Task WriteAsync(HttpContext http, int status, string code, string message, bool recoverable) =>
        ApiErrors.Envelope(status, code, message, recoverable).ExecuteAsync(http);
}
