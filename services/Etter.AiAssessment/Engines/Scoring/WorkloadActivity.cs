namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>One responsibility of a role, as read from its job description.</summary>
/// <param name="Text">The responsibility, without bullet markers or a trailing percentage.</param>
/// <param name="Group">The heading it sat under, if any.</param>
/// <param name="WeightPercent">An explicit share of working time stated in the JD (e.g. "(30%)").</param>
public sealed record WorkloadActivity(string Text, string? Group, double? WeightPercent);
