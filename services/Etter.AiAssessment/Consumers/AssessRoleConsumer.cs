using Etter.AiAssessment.Engines;
using Etter.Contracts;
using MassTransit;

namespace Etter.AiAssessment.Consumers;

/// <summary>ai_assessment: runs the selected engine over the role's JD and reports the result.</summary>
public sealed class AssessRoleConsumer(AssessmentEngineSelector engines, TimeProvider time, ILogger<AssessRoleConsumer> logger) : IConsumer<AssessRole>
{
    public async Task Consume(ConsumeContext<AssessRole> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = context.Message;
        IAssessmentEngine engine;
        try
        {
            engine = engines.Select(command.Engine);
        }
        catch (AssessmentEngineException ex)
        {
            await PublishFailed(context, ex.Error);
            return;
        }

        await context.Publish(new AiAssessmentStarted
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            Engine = engine.Name,
            StartedAt = time.GetUtcNow(),
        });

        try
        {
            var result = await engine.AssessAsync(
                new AssessmentRequest(command.CompanyId, command.RoleName, command.DraupRoleName, command.JobDescriptionMarkdown),
                heartbeat: null,
                context.CancellationToken);
            await context.Publish(new AiAssessmentCompleted
            {
                WorkflowId = command.WorkflowId,
                Attempt = command.Attempt,
                Result = result,
                CompletedAt = time.GetUtcNow(),
            });
        }
        catch (AssessmentEngineException ex)
        {
            logger.LogWarning("Assessment of workflow {WorkflowId} failed: {Code} {Message}", command.WorkflowId, ex.Error.Code, ex.Error.Message);
            await PublishFailed(context, ex.Error);
        }
    }

    Task PublishFailed(ConsumeContext<AssessRole> context, OnboardingError error) =>
        context.Publish(new AiAssessmentFailed
        {
            WorkflowId = context.Message.WorkflowId,
            Attempt = context.Message.Attempt,
            Error = error,
            FailedAt = time.GetUtcNow(),
        });
}
