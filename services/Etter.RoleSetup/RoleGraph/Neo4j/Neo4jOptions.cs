using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Etter.RoleSetup.RoleGraph.Neo4j;

/// <summary>Which of Neo4j's HTTP endpoints carries the Cypher.</summary>
public enum Neo4jProtocol
{
    /// <summary>The Query API, <c>POST /db/{database}/query/v2</c> (Neo4j 5.19 and later): one statement per request.</summary>
    QueryApi,

    /// <summary>The transactional endpoint, <c>POST /db/{database}/tx/commit</c> (older 5.x): several statements in one transaction.</summary>
    Transactional,
}

/// <summary>
/// Where the Neo4j role graph lives (<c>Etter:RoleGraph:Neo4j</c>, or <c>Etter__RoleGraph__Neo4j__*</c> in the
/// environment). Used only when <c>Etter:RoleGraph:Provider</c> is <c>neo4j</c>. The password belongs in the
/// environment or a secret store, never in a committed appsettings file.
/// </summary>
public sealed partial class Neo4jOptions : IValidatableObject
{
    public const string Section = "Etter:RoleGraph:Neo4j";

    /// <summary>The HTTP(S) address of the Neo4j server, e.g. <c>http://127.0.0.1:7474</c> (not the bolt:// address).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Etter:RoleGraph:Neo4j:Url is required: the HTTP address of Neo4j, e.g. http://127.0.0.1:7474 (set Etter__RoleGraph__Neo4j__Url).")]
    public string Url { get; set; } = "";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Etter:RoleGraph:Neo4j:Database is required (Neo4j's default database is 'neo4j').")]
    public string Database { get; set; } = "neo4j";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Etter:RoleGraph:Neo4j:User is required (set Etter__RoleGraph__Neo4j__User).")]
    public string User { get; set; } = "";

    /// <summary>From the environment (<c>Etter__RoleGraph__Neo4j__Password</c>) or a secret store only.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Etter:RoleGraph:Neo4j:Password is required; set it in the environment (Etter__RoleGraph__Neo4j__Password), never in a committed file.")]
    public string Password { get; set; } = "";

    public Neo4jProtocol Protocol { get; set; } = Neo4jProtocol.QueryApi;

    /// <summary>How long one HTTP request to Neo4j may take before it counts as a (retryable) failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Url)
            && (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"Etter:RoleGraph:Neo4j:Url must be an absolute http:// or https:// address such as http://127.0.0.1:7474 (scheme found: {(uri is null ? "none" : uri.Scheme + "://")}). The bolt:// and neo4j:// schemes are for drivers, not for this HTTP adapter.",
                [nameof(Url)]);
        }

        if (Uri.TryCreate(Url, UriKind.Absolute, out var withUserInfo) && !string.IsNullOrEmpty(withUserInfo.UserInfo))
        {
            yield return new ValidationResult(
                "Etter:RoleGraph:Neo4j:Url must not carry credentials; set Etter:RoleGraph:Neo4j:User and Password instead.",
                [nameof(Url)]);
        }

        if (!string.IsNullOrWhiteSpace(Database) && !DatabaseName().IsMatch(Database))
        {
            yield return new ValidationResult(
                $"Etter:RoleGraph:Neo4j:Database '{Database}' is not a valid Neo4j database name (a letter, then letters, digits, dots or dashes; at most 63 characters).",
                [nameof(Database)]);
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult(
                $"Etter:RoleGraph:Neo4j:Timeout must be between 00:00:01 and 00:10:00; got {Timeout}.",
                [nameof(Timeout)]);
        }
    }

    /// <summary>The server address with a trailing slash, so relative endpoint paths append to any path prefix.</summary>
    internal Uri BaseUri()
    {
        var text = Url.EndsWith('/') ? Url : Url + "/";
        return new Uri(text, UriKind.Absolute);
    }

    /// <summary>Scheme, host and port only, for messages: never user info, path or query.</summary>
    internal static string Describe(Uri uri) => $"{uri.Scheme}://{uri.Host}:{uri.Port}";

    internal Uri Endpoint() => new(BaseUri(), Protocol switch
    {
        Neo4jProtocol.Transactional => $"db/{Uri.EscapeDataString(Database)}/tx/commit",
        _ => $"db/{Uri.EscapeDataString(Database)}/query/v2",
    });

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9.\-]{0,62}$")]
    private static partial Regex DatabaseName();
}
