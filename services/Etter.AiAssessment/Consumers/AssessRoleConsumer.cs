using Etter.AiAssessment.Engines;
using Etter.AiAssessment.Runs;
using Etter.Contracts;
using Etter.ServiceDefaults.Logging;
using MassTransit;

namespace Etter.AiAssessment.Consumers;

/// <summary>
/// ai_assessment. A quick engine runs right here, and its finished run and outcome commit in one transaction. A long
/// engine's run is claimed first and handed to the <see cref="AssessmentRunner"/>, so it never runs twice. Either
/// way a redelivered or duplicated command is answered with the stored outcome of a finished run, and left alone
/// while the run is still going elsewhere.
/// </summary>
public sealed class AssessRoleConsumer(
    AssessmentEngineSelector engines,
    AssessmentExecution execution,
    AssessmentRunStore runs,
    AssessmentRunner runner,
    TimeProvider time,
    ILogger<AssessRoleConsumer> logger) : IConsumer<AssessRole>
{
    public async Task Consume(ConsumeContext<AssessRole> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = context.Message;
        var startedAt = time.GetUtcNow();
        using var scope = logger.BeginStepScope(command.WorkflowId, command.CompanyId, OnboardingSteps.AiAssessment, command.Attempt);
        IAssessmentEngine engine;
        try
        {
            engine = engines.Select(command.Engine);
        }
        catch (AssessmentEngineException ex)
        {
            await runs.PublishAsync(execution.Failed(command, ex.Error, startedAt), context.CancellationToken);
            return;
        }

        if (engine.RunsInline)
        {
            await AssessInlineAsync(command, engine, startedAt, context.CancellationToken);
        }
        else
        {
            await StartLongRunAsync(command, engine, startedAt, context.CancellationToken);
        }
    }

    async Task AssessInlineAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        // No claim before the run: it would cost a commit to save milliseconds of CPU. A redelivery or a concurrent
        // duplicate may compute again, but only the first insert of the finished run succeeds, so exactly one outcome
        // is recorded and every delivery answers with that one.
        var outcome = await execution.RunAsync(command, engine, startedAt);
        if (await runs.TryRecordFinishedAsync(command, engine.Name, startedAt, outcome, cancellationToken) is { } existing)
        {
            await runs.AnswerAgainAsync(existing, cancellationToken);
        }
    }

    async Task StartLongRunAsync(AssessRole command, IAssessmentEngine engine, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        if (await runs.TryClaimAsync(command, engine.Name, startedAt, cancellationToken) is { } existing)
        {
            // Finished: answered as before. Still running elsewhere: its worker reports the outcome.
            await runs.AnswerAgainAsync(existing, cancellationToken);
            return;
        }

        try
        {
            await runner.StartAsync(command, engine, startedAt, cancellationToken);
        }
        catch (Exception)
        {
            // Nothing runs this attempt (the service stopped while the command waited for a slot): without the claim,
            // the redelivered command starts it; with it, the command would be taken for one running elsewhere.
            await runs.ReleaseAsync(command.WorkflowId, command.Attempt, CancellationToken.None);
            throw;
        }
    }
}
