namespace Etter.RoleSetup.JobDescriptions;

/// <param name="RawText">The JD as supplied, before formatting.</param>
/// <param name="Source">Where it came from: <c>document</c>, <c>document:name</c>, <c>sample</c>.</param>
public sealed record SelectedJobDescription(string RawText, string Source);
