using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Persistence;
using Etter.AiAssessment.Runs;
using Etter.Messaging.Bus;
using Etter.Contracts;
using MassTransit;

namespace Etter.AiAssessment.Consumers;

/// <summary>
/// ai_assessment: claims the (workflow, attempt) run, reports it started and hands it to the
/// <see cref="AssessmentRunner"/>. A redelivered or duplicated command never runs the engine again: a
/// finished run is answered with its stored outcome, a running one is left to its worker.
/// </summary>
public sealed class AssessRoleConsumer(
    AssessmentEngineSelector engines,
    AssessmentRunStore runs,
    AssessmentRunner runner,
    TimeProvider time,
    ILogger<AssessRoleConsumer> logger) : IConsumer<AssessRole>
{
    public async Task Consume(ConsumeContext<AssessRole> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = context.Message;
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["workflow_id"] = command.WorkflowId,
            ["company_id"] = command.CompanyId,
            ["step"] = OnboardingSteps.AiAssessment,
            ["attempt"] = command.Attempt,
        });
        IAssessmentEngine engine;
        try
        {
            engine = engines.Select(command.Engine);
        }
        catch (AssessmentEngineException ex)
        {
            await context.PublishBoundedAsync(new AiAssessmentFailed { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = ex.Error, FailedAt = time.GetUtcNow() }, context.CancellationToken);
            return;
        }

        var existing = await runs.TryClaimAsync(command, engine.Name, context.CancellationToken);
        if (existing is not null)
        {
            if (existing.Status != AssessmentRunStatus.Running && AssessmentRunStore.Outcome(existing) is { } outcome)
            {
                await context.PublishBoundedAsync(outcome, outcome.GetType(), context.CancellationToken);
            }

            return;
        }

        try
        {
            await context.PublishBoundedAsync(new AiAssessmentStarted
            {
                WorkflowId = command.WorkflowId,
                Attempt = command.Attempt,
                Engine = engine.Name,
                StartedAt = time.GetUtcNow(),
            }, context.CancellationToken);
            await runner.StartAsync(command, engine, context.CancellationToken);
        }
        catch (Exception)
        {
            // Nothing runs this attempt yet (typically the broker connection dropped): without the claim, the
            // redelivered command starts it; with it, the command would be taken for one running elsewhere.
            await runs.ReleaseAsync(command.WorkflowId, command.Attempt, CancellationToken.None);
            throw;
        }
    }
}
