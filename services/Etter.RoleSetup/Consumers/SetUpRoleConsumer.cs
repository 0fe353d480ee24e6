using System.Diagnostics;
using Etter.Contracts;
using Etter.Onboarding;
using Etter.RoleSetup.Documents;
using Etter.RoleSetup.JobDescriptions;
using Etter.RoleSetup.RoleGraph;
using Etter.RoleSetup.RoleGraph.Neo4j;
using Etter.RoleSetup.Taxonomy;
using Etter.ServiceDefaults.Logging;
using Etter.ServiceDefaults.Observability;
using MassTransit;

namespace Etter.RoleSetup.Consumers;

/// <summary>
/// role_setup: upserts the company role in the role graph and links its job description. The inbox row, the
/// relational writes and the outbox row of the answer commit in one transaction (<see cref="RoleSetupInbox"/>), so a
/// redelivered or duplicated command is answered with the stored answer and does no work.
/// </summary>
public sealed class SetUpRoleConsumer(
    IRoleGraph roleGraph,
    RoleSetupInbox inbox,
    JobDescriptionResolver jobDescriptions,
    ITaxonomyProvider taxonomy,
    TimeProvider time,
    ILogger<SetUpRoleConsumer> logger) : IConsumer<SetUpRole>
{
    public const string Source = "etter_pipeline";

    public async Task Consume(ConsumeContext<SetUpRole> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = context.Message;
        var startedAt = time.GetUtcNow();
        using var scope = logger.BeginStepScope(command.WorkflowId, command.CompanyId, OnboardingSteps.RoleSetup, command.Attempt);

        // Checked before the JD is resolved: a redelivery must neither fetch documents again nor answer differently.
        if (await inbox.AnswerAgainAsync(command.WorkflowId, command.Attempt, context.CancellationToken))
        {
            return;
        }

        try
        {
            await SetUpAsync(command, startedAt, context.CancellationToken);
        }
        catch (RoleGraphException ex) when (!ex.Recoverable)
        {
            // A verdict such as bad credentials or a rejected statement: say so, so the saga does not retry.
            await inbox.FailAsync(Failed(command, ex.Error, startedAt), context.CancellationToken);
        }
        catch (DocumentFetchException ex)
        {
            // The pushed JD link could not be fetched: fail the step with the reason; Error.Recoverable tells the saga whether to retry.
            logger.LogWarning("role_setup for {CompanyId} / {RoleName} failed: {Reason}", command.CompanyId, command.RoleName, ex.Error.Message);
            await inbox.FailAsync(Failed(command, ex.Error, startedAt), context.CancellationToken);
        }
    }

    RoleSetupFailed Failed(SetUpRole command, OnboardingError error, DateTimeOffset startedAt) =>
        new() { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = error, StartedAt = startedAt, FailedAt = time.GetUtcNow() };

    async Task SetUpAsync(SetUpRole command, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        // Resolved first: a pushed link that cannot be fetched fails the step before anything is written.
        var selected = await jobDescriptions.ResolveAsync(command.CompanyId, command.RoleName, command.Documents, cancellationToken);
        using var activity = EtterTelemetry.Source.StartActivity("role_graph.upsert");
        activity?.SetTag("etter.workflow_id", command.WorkflowId);
        var now = time.GetUtcNow();
        var roleId = CompanyRoleId.For(command.CompanyId, command.RoleName);
        var taxonomyRole = taxonomy.FindRole(command.CompanyId, command.RoleName);
        var draupRole = command.DraupRoleName ?? taxonomyRole?.DraupRole;
        var role = new CompanyRoleRecord(roleId, command.CompanyId.Trim(), command.RoleName.Trim(), command.DraupRoleId, draupRole, Source,
            command.RequestedBy, Activity.Current?.TraceId.ToString(), now, now);

        JobDescriptionRecord? jobDescription = null;
        JobDescriptionSummary? summary = null;
        if (selected is not null)
        {
            var title = command.RoleName.Trim();
            var markdown = JobDescriptionFormatter.Format(title, selected.RawText);
            jobDescription = new JobDescriptionRecord(roleId, title, markdown, selected.Source, now, now);
            summary = new JobDescriptionSummary { Title = title, Markdown = markdown, Source = selected.Source };
        }
        else
        {
            logger.LogInformation("No job description content for {CompanyId} / {RoleName}; the assessment will be skipped.", command.CompanyId, command.RoleName);
        }

        async Task WriteGraphAsync(CancellationToken token)
        {
            await roleGraph.UpsertCompanyRoleAsync(role, token);
            if (jobDescription is not null)
            {
                await roleGraph.UpsertJobDescriptionAsync(jobDescription, token);
            }
        }

        if (!roleGraph.JoinsRoleSetupTransaction)
        {
            // Neo4j cannot join the relational transaction, so its writes come before it. They are idempotent upserts
            // keyed by the deterministic role id: a rollback below, a redelivery or a concurrent duplicate that makes
            // them run again leaves the same graph.
            await WriteGraphAsync(cancellationToken);
        }

        var completed = new RoleSetupCompleted
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            RoleId = roleId,
            DraupRoleName = draupRole,
            JobDescription = summary,
            StartedAt = startedAt,
            CompletedAt = time.GetUtcNow(),
        };
        await inbox.CompleteAsync(completed, roleGraph.JoinsRoleSetupTransaction ? WriteGraphAsync : _ => Task.CompletedTask, cancellationToken);
    }
}
