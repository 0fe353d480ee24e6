using System.Diagnostics;
using Etter.Messaging.Bus;
using Etter.ServiceDefaults.Observability;
using Etter.RoleSetup.Taxonomy;
using Etter.Onboarding;
using Etter.Contracts;
using Etter.RoleSetup.Documents;
using Etter.RoleSetup.JobDescriptions;
using Etter.RoleSetup.RoleGraph;
using Etter.RoleSetup.RoleGraph.Neo4j;
using MassTransit;

namespace Etter.RoleSetup.Consumers;

/// <summary>
/// role_setup: upserts the company role in the role graph and links its job description. Idempotent by
/// construction (deterministic id, upserts), so a redelivered command does no harm and answers the same.
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
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["workflow_id"] = command.WorkflowId,
            ["company_id"] = command.CompanyId,
            ["step"] = OnboardingSteps.RoleSetup,
            ["attempt"] = command.Attempt,
        });
        if (await inbox.FindAsync(command.WorkflowId, command.Attempt, context.CancellationToken) is { } answered)
        {
            // Redelivered (or duplicated) command: answer as before, touch nothing.
            await context.PublishBoundedAsync(answered, context.CancellationToken);
            return;
        }

        try
        {
            await SetUpAsync(context);
        }
        catch (RoleGraphException ex) when (!ex.Recoverable)
        {
            // A verdict such as bad credentials or a rejected statement: say so, so the saga does not retry.
            await context.PublishBoundedAsync(new RoleSetupFailed { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = ex.Error, FailedAt = time.GetUtcNow() }, context.CancellationToken);
        }
        catch (DocumentFetchException ex)
        {
            // The pushed JD link could not be fetched: fail the step with the reason; Error.Recoverable tells the saga whether to retry.
            logger.LogWarning("role_setup for {CompanyId} / {RoleName} failed: {Reason}", command.CompanyId, command.RoleName, ex.Error.Message);
            await context.PublishBoundedAsync(new RoleSetupFailed { WorkflowId = command.WorkflowId, Attempt = command.Attempt, Error = ex.Error, FailedAt = time.GetUtcNow() }, context.CancellationToken);
        }
    }

    async Task SetUpAsync(ConsumeContext<SetUpRole> context)
    {
        var command = context.Message;

        // Resolved first: a pushed link that cannot be fetched fails the step before anything is written.
        var selected = await jobDescriptions.ResolveAsync(command.CompanyId, command.RoleName, command.Documents, context.CancellationToken);
        using var activity = EtterTelemetry.Source.StartActivity("role_graph.upsert");
        activity?.SetTag("etter.workflow_id", command.WorkflowId);
        var now = time.GetUtcNow();
        var roleId = CompanyRoleId.For(command.CompanyId, command.RoleName);
        var taxonomyRole = taxonomy.FindRole(command.CompanyId, command.RoleName);
        var draupRole = command.DraupRoleName ?? taxonomyRole?.DraupRole;

        await roleGraph.UpsertCompanyRoleAsync(
            new CompanyRoleRecord(roleId, command.CompanyId.Trim(), command.RoleName.Trim(), command.DraupRoleId, draupRole, Source,
                command.RequestedBy, Activity.Current?.TraceId.ToString(), now, now),
            context.CancellationToken);

        JobDescriptionSummary? summary = null;
        if (selected is not null)
        {
            var title = command.RoleName.Trim();
            var markdown = JobDescriptionFormatter.Format(title, selected.RawText);
            await roleGraph.UpsertJobDescriptionAsync(new JobDescriptionRecord(roleId, title, markdown, selected.Source, now, now), context.CancellationToken);
            summary = new JobDescriptionSummary { Title = title, Markdown = markdown, Source = selected.Source };
        }
        else
        {
            logger.LogInformation("No job description content for {CompanyId} / {RoleName}; the assessment will be skipped.", command.CompanyId, command.RoleName);
        }

        var completed = new RoleSetupCompleted
        {
            WorkflowId = command.WorkflowId,
            Attempt = command.Attempt,
            RoleId = roleId,
            DraupRoleName = draupRole,
            JobDescription = summary,
            CompletedAt = time.GetUtcNow(),
        };
        await context.PublishBoundedAsync(await inbox.RecordAsync(completed, context.CancellationToken), context.CancellationToken);
    }
}
