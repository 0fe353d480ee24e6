namespace Etter.RoleSetup.Taxonomy;

/// <summary>Built-in sample job descriptions, used when a push carries no JD of its own.</summary>
public interface ISampleJobDescriptions
{
    /// <summary>The raw sample JD text for a company role, or null when there is none.</summary>
    string? Find(string companyName, string roleName);
}
