using System.ComponentModel.DataAnnotations;

namespace Etter.Orchestrator;

/// <summary>
/// Retry, timeout and sweep policy of the orchestrator (<c>Etter:Orchestrator</c>). This is the only retry
/// layer for steps: consumers do not retry with backoff on their own.
/// </summary>
public sealed class OrchestratorOptions : IValidatableObject
{
    public const string Section = "Etter:Orchestrator";

    public StepPolicy RoleSetup { get; set; } = new()
    {
        MaxAttempts = 3,
        InitialDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        Timeout = TimeSpan.FromMinutes(5),
    };

    public StepPolicy AiAssessment { get; set; } = new()
    {
        MaxAttempts = 2,
        InitialDelay = TimeSpan.FromSeconds(5),
        MaxDelay = TimeSpan.FromSeconds(60),
        Timeout = TimeSpan.FromMinutes(30),
        HeartbeatTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The retry and timeout policy of <paramref name="step"/> (one of <see cref="Etter.Contracts.OnboardingSteps"/>).</summary>
    public StepPolicy PolicyFor(string step) => step == Etter.Contracts.OnboardingSteps.RoleSetup ? RoleSetup : AiAssessment;

    /// <summary>End-to-end limit from queued to a final state, queue wait included.</summary>
    public TimeSpan WorkflowTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the deadline sweeper looks for due deadlines.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 10000)]
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>After dispatching a deadline, how long before dispatching it again if the saga never acted on it.</summary>
    public TimeSpan DeadlineLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Workflows of one company admitted (running or waiting for a worker) at once; the rest wait in Queued
    /// with a position, so one client's large batch cannot starve another's push.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxActivePerCompany { get; set; } = 200;

    /// <summary>How often held workflows are considered for admission when no commit signalled.</summary>
    public TimeSpan AdmissionInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After a commit wakes the admitter, how long it lets further commits gather before it looks. Every saga
    /// transition signals, so without this a busy orchestrator ran an admission pass (a transaction and two
    /// queries) per transition; one pass per window admits the same workflows.
    /// </summary>
    public TimeSpan AdmissionCoalesce { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The saga partition this instance consumes on RabbitMQ (queue <c>onboarding-saga-{Partition}</c>). Give each
    /// instance its own number (0, 1, …): every workflow then lives on one instance. Two instances with the same number
    /// are active and standby. Ignored in embedded mode.
    /// </summary>
    [Range(0, 1023)]
    public int Partition { get; set; }

    /// <summary>
    /// When the public <see cref="Etter.Contracts.OnboardingStateChanged"/> event is published: <c>Finished</c> (when a
    /// workflow ends; the default), <c>All</c> (every change) or <c>None</c>. Etter's own status store does not need it.
    /// </summary>
    public StateChangedEvents StateChangedEvents { get; set; } = StateChangedEvents.Finished;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, policy) in new[] { ("RoleSetup", RoleSetup), ("AiAssessment", AiAssessment) })
        {
            foreach (var problem in policy.Problems())
            {
                yield return new ValidationResult($"{Section}:{name}: {problem}");
            }
        }

        if (WorkflowTimeout <= TimeSpan.Zero || SweepInterval <= TimeSpan.Zero || DeadlineLease <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}: WorkflowTimeout, SweepInterval and DeadlineLease must be positive.");
        }
    }
}

/// <summary>Which status changes publish <see cref="Etter.Contracts.OnboardingStateChanged"/>.</summary>
public enum StateChangedEvents
{
    None,
    Finished,
    All,
}
