namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>An activity's split across the six collaboration modes (shares sum to 1) and why.</summary>
public sealed record ActivityClassification(
    WorkloadActivity Activity,
    IReadOnlyDictionary<CollaborationMode, double> Shares,
    string Rationale)
{
    public double Share(CollaborationMode mode) => Shares.TryGetValue(mode, out var value) ? value : 0;

    public double Automation => Share(CollaborationMode.Directive) + Share(CollaborationMode.FeedbackLoop);

    public double Augmentation =>
        Share(CollaborationMode.TaskIteration) + Share(CollaborationMode.Learning) + Share(CollaborationMode.Validation);

    public double Human => Share(CollaborationMode.Negligibility);
}
