namespace Etter.BuildingBlocks.Taxonomy;

// Placeholder until the sample data lands.
public sealed class SampleJobDescriptions : ISampleJobDescriptions
{
    public string? Find(string companyName, string roleName) => null;
}
