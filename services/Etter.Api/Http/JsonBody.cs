using System.Text.Json;
using Etter.Api.Errors;
using Etter.Api.Status;

namespace Etter.Api.Http;

/// <summary>Request bodies the way the old (FastAPI) service read them: malformed or missing JSON is a 422 in its shape.</summary>
public static class JsonBody
{
    /// <summary>Reads a JSON body; a missing or malformed body is a 422, as the old API answered.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpContext http)
        where T : class
    {
        // Kestrel enforces the endpoint's limit while reading; checking the declared length first answers
        // at once, and also under hosts that do not enforce it (the test server).
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (limit is { } max && http.Request.ContentLength > max)
        {
            return (null, ApiErrors.Envelope(StatusCodes.Status413PayloadTooLarge, Etter.Contracts.ErrorCodes.ValidationError,
                $"The request body is larger than this endpoint accepts ({max} bytes).", recoverable: false));
        }

        try
        {
            var body = await http.Request.ReadFromJsonAsync<T>(PipelineStatusMapper.JsonOptions, http.RequestAborted);
            return body is null
                ? (null, ApiErrors.Unprocessable([new FieldProblem(["body"], "field required", "value_error.missing")]))
                : (body, null);
        }
        catch (BadHttpRequestException ex)
        {
            // Over the size limit (413) or a broken request body: a client error, answered in the envelope.
            return (null, ApiErrors.Envelope(ex.StatusCode, Etter.Contracts.ErrorCodes.ValidationError,
                ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this endpoint accepts." : $"Unreadable request body: {ex.Message}",
                recoverable: false));
        }
        catch (JsonException ex)
        {
            return (null, ApiErrors.Unprocessable([JsonBodyProblems.Describe(ex, typeof(T), PipelineStatusMapper.JsonOptions)]));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("content type", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("Content-Type", StringComparison.Ordinal))
        {
            return (null, ApiErrors.Unprocessable([new FieldProblem(["body"], "expected a JSON body with Content-Type: application/json", "value_error.content_type")]));
        }
    }

    /// <summary>For endpoints whose body is optional: none at all is fine, malformed JSON is not.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadOptionalAsync<T>(HttpContext http)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Request.ContentLength is null or 0 && !http.Request.Headers.TransferEncoding.Any())
        {
            return (null, null);
        }

        return await ReadAsync<T>(http);
    }
}
