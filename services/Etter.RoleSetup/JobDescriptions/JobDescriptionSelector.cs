using Etter.BuildingBlocks.Taxonomy;
using Etter.Contracts;

namespace Etter.RoleSetup.JobDescriptions;

/// <summary>
/// Picks the text to use as a role's job description, in order: the first <c>job_description</c>
/// document with content; otherwise any document with content; otherwise the built-in sample JD for
/// the company and role; otherwise none (the workflow then ends Degraded, without an assessment).
/// </summary>
public sealed class JobDescriptionSelector(ISampleJobDescriptions samples)
{
    public SelectedJobDescription? Select(string companyName, string roleName, IReadOnlyList<RoleDocument>? documents)
    {
        var withContent = (documents ?? []).Where(d => !string.IsNullOrWhiteSpace(d.Content)).ToList();
        var document = withContent.FirstOrDefault(d => DocumentTypes.Normalize(d.Type) == DocumentTypes.JobDescription)
            ?? withContent.FirstOrDefault();
        if (document is not null)
        {
            return new SelectedJobDescription(document.Content!, document.Name is { Length: > 0 } name ? $"document:{name}" : "document");
        }

        var sample = samples.Find(companyName, roleName);
        return sample is null ? null : new SelectedJobDescription(sample, "sample");
    }
}
