using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Etter.RoleSetup.Taxonomy;

/// <summary>
/// The sample taxonomy and JDs embedded in this assembly, read once per process. The data never changes
/// at run time, so one shared, lazily built copy serves every provider instance.
/// </summary>
sealed class SampleDataCatalog
{
    const string ResourcePrefix = "Etter.SampleData.";
    const string TaxonomyFile = "taxonomy.json";
    const string JobDescriptionFolder = "jd/";

    static readonly Lazy<SampleDataCatalog> Shared = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    readonly List<Company> _companies;
    readonly Dictionary<string, string> _jobDescriptions;

    SampleDataCatalog(List<Company> companies, Dictionary<string, string> jobDescriptions)
    {
        _companies = companies;
        _jobDescriptions = jobDescriptions;
        CompanyNames = companies.Select(c => c.Name).ToList().AsReadOnly();
    }

    public static SampleDataCatalog Instance => Shared.Value;

    public IReadOnlyList<string> CompanyNames { get; }

    public sealed record Company(string Name, IReadOnlyList<TaxonomyRole> Roles);

    /// <summary>
    /// Exact (normalized) name first; failing that, the slug, so "Walmart Inc" or "walmart-inc" still
    /// find "Walmart Inc." without making every punctuation difference a miss.
    /// </summary>
    public Company? FindCompany(string name)
    {
        var key = TaxonomyNames.Normalize(name);
        if (key.Length == 0)
        {
            return null;
        }

        var slug = TaxonomyNames.Slug(name);
        return _companies.FirstOrDefault(c => TaxonomyNames.Normalize(c.Name) == key)
            ?? (slug.Length == 0 ? null : _companies.FirstOrDefault(c => TaxonomyNames.Slug(c.Name) == slug));
    }

    /// <summary>A title match wins over a job-role match, so a role's own title can never be shadowed by another role's generic name.</summary>
    public static TaxonomyRole? FindRole(Company company, string roleName)
    {
        var key = TaxonomyNames.Normalize(roleName);
        if (key.Length == 0)
        {
            return null;
        }

        return company.Roles.FirstOrDefault(r => TaxonomyNames.Normalize(r.JobTitle) == key)
            ?? company.Roles.FirstOrDefault(r => TaxonomyNames.Normalize(r.JobRole) == key);
    }

    public string? JobDescription(Company company, TaxonomyRole role) =>
        _jobDescriptions.GetValueOrDefault(JobDescriptionPath(company.Name, role.JobTitle));

    static string JobDescriptionPath(string companyName, string jobTitle) =>
        $"{JobDescriptionFolder}{TaxonomyNames.Slug(companyName)}/{TaxonomyNames.Slug(jobTitle)}.md";

    static SampleDataCatalog Load()
    {
        var assembly = typeof(SampleDataCatalog).Assembly;

        // RecursiveDir in the logical name keeps the host's directory separator, so the same file is
        // "jd/x/y.md" when built on Linux and "jd\x\y.md" on Windows; keying by a '/' path hides that.
        var resources = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToDictionary(n => n[ResourcePrefix.Length..].Replace('\\', '/').ToLowerInvariant(), n => n, StringComparer.Ordinal);

        if (!resources.TryGetValue(TaxonomyFile, out var taxonomyResource))
        {
            throw new InvalidOperationException($"The embedded sample taxonomy ({ResourcePrefix}{TaxonomyFile}) is missing from {assembly.GetName().Name}.");
        }

        var document = JsonSerializer.Deserialize(ReadText(assembly, taxonomyResource), SampleDataJsonContext.Default.TaxonomyDocument)
            ?? throw new InvalidOperationException("The embedded sample taxonomy is empty.");
        var companies = Validate(document);

        var jobDescriptions = resources
            .Where(r => r.Key.StartsWith(JobDescriptionFolder, StringComparison.Ordinal))
            .ToDictionary(r => r.Key, r => ReadText(assembly, r.Value), StringComparer.Ordinal);
        return new SampleDataCatalog(companies, jobDescriptions);
    }

    /// <summary>Fails loudly on a malformed data file: a silently missing role would only surface as a confusing "not found" later.</summary>
    static List<Company> Validate(TaxonomyDocument document)
    {
        var companies = new List<Company>();
        var jobIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var company in document.Companies ?? [])
        {
            var name = Required(company.Name, "company name", "(unnamed)");
            if (companies.Any(c => TaxonomyNames.Normalize(c.Name) == TaxonomyNames.Normalize(name)))
            {
                throw new InvalidOperationException($"Sample taxonomy lists company '{name}' twice.");
            }

            var roles = new List<TaxonomyRole>();
            foreach (var role in company.Roles ?? [])
            {
                var where = $"{name} / {role.JobTitle ?? role.JobId ?? "(unnamed role)"}";
                var parsed = new TaxonomyRole(
                    Required(role.JobId, "job_id", where),
                    Required(role.JobTitle, "job_title", where),
                    Required(role.JobRole, "job_role", where),
                    Required(role.DraupRole, "draup_role", where),
                    Required(role.Occupation, "occupation", where),
                    Required(role.JobFamily, "job_family", where));
                if (!jobIds.Add(parsed.JobId))
                {
                    throw new InvalidOperationException($"Sample taxonomy uses job_id '{parsed.JobId}' more than once.");
                }

                roles.Add(parsed);
            }

            companies.Add(new Company(name, roles.AsReadOnly()));
        }

        return companies;
    }

    static string Required(string? value, string field, string where) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"Sample taxonomy entry {where} has no {field}.")
            : value.Trim();

    static string ReadText(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{resourceName}' could not be opened.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

sealed record TaxonomyDocument(
    [property: JsonPropertyName("companies")] IReadOnlyList<TaxonomyCompanyEntry>? Companies);

sealed record TaxonomyCompanyEntry(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("roles")] IReadOnlyList<TaxonomyRoleEntry>? Roles);

sealed record TaxonomyRoleEntry(
    [property: JsonPropertyName("job_id")] string? JobId,
    [property: JsonPropertyName("job_title")] string? JobTitle,
    [property: JsonPropertyName("job_role")] string? JobRole,
    [property: JsonPropertyName("draup_role")] string? DraupRole,
    [property: JsonPropertyName("occupation")] string? Occupation,
    [property: JsonPropertyName("job_family")] string? JobFamily);

[JsonSerializable(typeof(TaxonomyDocument))]
sealed partial class SampleDataJsonContext : JsonSerializerContext;
