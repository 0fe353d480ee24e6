namespace Etter.Api.Reference;

/// <summary>A readable API reference at <c>/api/v1/pipeline/docs</c>, rendered from <c>/openapi/v1.json</c> in the browser; no CDN, works offline.</summary>
public static class ApiReferenceEndpoints
{
    static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(ApiReferenceEndpoints).Assembly.GetManifestResourceStream("Etter.Api.api-reference.html")
            ?? throw new InvalidOperationException("The API reference page is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/pipeline/docs", () => Results.Content(Page.Value, "text/html; charset=utf-8")).ExcludeFromDescription();
        return app;
    }
}
