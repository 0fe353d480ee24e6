namespace Etter.AiAssessment.Engines.Scoring;

/// <summary>
/// How a workload activity would be shared between people and AI. Directive and FeedbackLoop count
/// as automation; TaskIteration, Learning and Validation as augmentation; Negligibility stays human.
/// </summary>
public enum CollaborationMode
{
    Directive,
    FeedbackLoop,
    TaskIteration,
    Learning,
    Validation,
    Negligibility,
}
