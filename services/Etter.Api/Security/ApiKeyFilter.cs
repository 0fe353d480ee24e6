using System.Security.Cryptography;
using System.Text;
using Etter.Api.Errors;
using Etter.Contracts;
using Microsoft.Extensions.Options;

namespace Etter.Api.Security;

/// <summary>Requires a valid <c>X-Api-Key</c> on the pipeline endpoints whenever keys are configured.</summary>
public sealed class ApiKeyFilter(IOptions<ApiOptions> options) : IEndpointFilter
{
    readonly byte[][] _keys = options.Value.Keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => Encoding.UTF8.GetBytes(k.Trim())).ToArray();

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        var read = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (_keys.Length == 0 || (read && options.Value.OpenReads) || IsValid(request.Headers[ApiOptions.HeaderName]))
        {
            return await next(context);
        }

        return ApiErrors.Envelope(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
            $"A valid API key is required in the {ApiOptions.HeaderName} header.", recoverable: false);
    }

    bool IsValid(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(presented);

        // Compare against every key in constant time, so timing reveals neither which key nor how much matched.
        var match = false;
        foreach (var key in _keys)
        {
            match |= bytes.Length == key.Length && CryptographicOperations.FixedTimeEquals(bytes, key);
        }

        return match;
    }
}
