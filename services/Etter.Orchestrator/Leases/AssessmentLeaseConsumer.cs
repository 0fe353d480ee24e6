using Etter.Orchestrator.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Etter.Orchestrator.Leases;

/// <summary>
/// A long assessment's heartbeat extends its lease with one UPDATE of the deadline columns, without loading or saving
/// the workflow: nothing the user sees changes, only when the worker would count as lost. Heartbeats of an attempt
/// no longer running change nothing.
/// </summary>
public sealed class AssessmentLeaseConsumer(OrchestratorDbContext db, TimeProvider time, IOptions<OrchestratorOptions> options) : IConsumer<AiAssessmentHeartbeat>
{
    public async Task Consume(ConsumeContext<AiAssessmentHeartbeat> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (options.Value.AiAssessment.HeartbeatTimeout is not { } gap)
        {
            return;
        }

        var beat = context.Message;
        DateTimeOffset? lease = time.GetUtcNow() + gap;
        await db.Workflows
            .Where(x => x.CorrelationId == beat.WorkflowId && x.AiAssessment.Attempt == beat.Attempt && x.AiAssessment.Status == StepStatuses.Running)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(x => x.Deadlines.HeartbeatAt, lease)

                    // The sweeper's next look: the earliest of the step timeout, the workflow limit and the new lease (no retry
                    // is scheduled while an attempt runs).
                    .SetProperty(
                        x => x.NextDeadlineAt,
                        x => (x.Deadlines.StepAt ?? lease) < (x.Deadlines.WorkflowAt ?? lease)
                            ? ((x.Deadlines.StepAt ?? lease) < lease ? x.Deadlines.StepAt ?? lease : lease)
                            : ((x.Deadlines.WorkflowAt ?? lease) < lease ? x.Deadlines.WorkflowAt ?? lease : lease)),
                context.CancellationToken);
    }
}
