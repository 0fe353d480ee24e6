using Etter.Contracts;

namespace Etter.StatusStore;

/// <summary>Fast, possibly lossy, status reads. The saga store stays the authority; this is a projection.</summary>
public interface IWorkflowStatusStore
{
    /// <summary>Stores <paramref name="status"/> unless a same-or-newer revision is already there. Returns whether it was written.</summary>
    Task<bool> TryWriteAsync(OnboardingStatus status, CancellationToken cancellationToken);

    Task<OnboardingStatus?> GetAsync(Guid workflowId, CancellationToken cancellationToken);

    /// <summary>Whether what is written here outlives this process (Redis), or goes with it (the embedded store in memory).</summary>
    bool OutlivesProcess { get; }
}
