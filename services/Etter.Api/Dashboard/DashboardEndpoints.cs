using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Etter.Api.Dashboard;

/// <summary>
/// The operator dashboard at <c>/dashboard/</c>: a static page (HTML, CSS, JS embedded in this assembly,
/// no framework, no CDN) that calls the pipeline API from the browser with the operator's <c>X-Api-Key</c>.
/// </summary>
/// <remarks>
/// The files themselves are public (they hold no data); every call for data goes through the pipeline
/// endpoints and their API key filter. Only the embedded files can be served, so a path cannot escape.
/// </remarks>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";
    const string ResourcePrefix = "Etter.Api.Dashboard.";
    const string IndexFile = "index.html";

    /// <summary>Same-origin only, no inline script or style: data shown by the page can never run as code.</summary>
    const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    static readonly Lazy<FrozenDictionary<string, DashboardFile>> Files = new(LoadFiles);

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        // Routing treats "/dashboard" and "/dashboard/" alike, so one endpoint tells them apart: the page's
        // relative links (dashboard.css, ../api/...) only resolve from "/dashboard/".
        app.MapGet(Path, (HttpContext http) => http.Request.Path.Value?.EndsWith('/') == true
                ? Serve(http, IndexFile)
                : Results.Redirect($"{http.Request.PathBase}{Path}/{http.Request.QueryString}"))
            .ExcludeFromDescription();
        app.MapGet($"{Path}/{{file}}", (HttpContext http, string file) => Serve(http, file)).ExcludeFromDescription();
        return app;
    }

    static IResult Serve(HttpContext http, string name)
    {
        if (!Files.Value.TryGetValue(name, out var file))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }

        // no-cache means "revalidate": an unchanged file costs a 304, a new build is picked up at once.
        if (http.Request.Headers.IfNoneMatch.Any(tag => tag == file.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Content, file.ContentType);
    }

    static FrozenDictionary<string, DashboardFile> LoadFiles()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, DashboardFile>(StringComparer.OrdinalIgnoreCase);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(System.IO.Path.GetExtension(name), out var contentType))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"").ToString();
            files[name] = new DashboardFile(content, contentType, etag);
        }

        return files.ContainsKey(IndexFile)
            ? files.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase)
            : throw new InvalidOperationException($"The dashboard is missing from the build: no embedded resource {ResourcePrefix}{IndexFile}.");
    }

    sealed record DashboardFile(byte[] Content, string ContentType, string ETag);
}
