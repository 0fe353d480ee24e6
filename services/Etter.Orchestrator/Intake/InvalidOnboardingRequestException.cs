namespace Etter.Orchestrator.Intake;

/// <summary>A request that cannot be turned into a workflow; never retried.</summary>
public sealed class InvalidOnboardingRequestException(string message) : Exception(message);
