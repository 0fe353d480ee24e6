using Etter.AiAssessment.Engines;
using Etter.Contracts;
using Etter.ServiceDefaults.Observability;

namespace Etter.AiAssessment.Runs;

/// <summary>Runs an engine on a command and turns whatever happens into the attempt's outcome message.</summary>
public sealed class AssessmentExecution(TimeProvider time, ILogger<AssessmentExecution> logger)
{
    static readonly System.Diagnostics.Metrics.Histogram<long> TokensPerRole =
        EtterTelemetry.Meter.CreateHistogram<long>("etter.assessment.tokens", "{token}", "LLM tokens used per role assessment.");

    /// <summary>Returns <see cref="AiAssessmentCompleted"/> or <see cref="AiAssessmentFailed"/>; never throws for an engine failure.</summary>
    public async Task<object> RunAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(engine);
        using var activity = EtterTelemetry.Source.StartActivity($"assessment.engine {engine.Name}");
        activity?.SetTag("etter.workflow_id", command.WorkflowId);
        activity?.SetTag("etter.attempt", command.Attempt);
        try
        {
            var result = await engine.AssessAsync(
                new AssessmentRequest(command.CompanyId, command.RoleName, command.DraupRoleName, command.JobDescriptionMarkdown),
                heartbeat: _ => Task.CompletedTask,
                CancellationToken.None);
            if (result.TokenUsage is { } usage)
            {
                TokensPerRole.Record(usage.TotalTokens, new KeyValuePair<string, object?>("engine", engine.Name));
            }

            return new AiAssessmentCompleted { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Result = result, StartedAt = startedAt, CompletedAt = time.GetUtcNow() };
        }
        catch (AssessmentEngineException ex)
        {
            logger.LogWarning("Assessment of workflow {WorkflowId} failed: {Code} {Message}", command.WorkflowId, ex.Error.Code, ex.Error.Message);
            return Failed(command, ex.Error, startedAt);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Assessment engine {Engine} crashed for workflow {WorkflowId}", engine.Name, command.WorkflowId);
            return Failed(command, new OnboardingError { Code = ErrorCodes.AssessmentFailed, Message = $"The {engine.Name} engine crashed: {ex.Message}", Recoverable = true }, startedAt);
        }
    }

    public AiAssessmentFailed Failed(AssessRole command, OnboardingError error, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new AiAssessmentFailed { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = error, StartedAt = startedAt, FailedAt = time.GetUtcNow() };
    }
}
