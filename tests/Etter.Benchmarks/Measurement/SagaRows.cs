using System.Data.Common;
using Etter.Benchmarks.Reporting;
using Etter.Orchestrator.Saga;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Etter.Benchmarks.Measurement;

/// <summary>The timestamps of one saga row (<c>onboarding_state</c>), as the orchestrator committed them.</summary>
public sealed record SagaRow(
    Guid WorkflowId,
    string CurrentState,
    int Revision,
    DateTimeOffset QueuedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? RoleSetupStartedAt,
    DateTimeOffset? RoleSetupCompletedAt,
    DateTimeOffset? AssessmentStartedAt,
    DateTimeOffset? AssessmentCompletedAt);

/// <summary>Reads saga rows over plain ADO.NET, so the same query serves SQLite (embedded) and PostgreSQL.</summary>
public static class SagaRows
{
    const string Columns = "workflow_id, current_state, revision, queued_at, updated_at, completed_at, role_setup_started_at, role_setup_completed_at, ai_assessment_started_at, ai_assessment_completed_at";

    /// <summary>Every row whose role name starts with <paramref name="rolePrefix"/> (one query).</summary>
    public static async Task<Dictionary<Guid, SagaRow>> ReadAsync(DbConnection connection, string rolePrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM onboarding_state WHERE role_name LIKE @prefix";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "prefix";
        parameter.Value = rolePrefix + "%";
        command.Parameters.Add(parameter);
        var rows = new Dictionary<Guid, SagaRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new SagaRow(
                reader.GetFieldValue<Guid>(0),
                reader.GetString(1),
                reader.GetInt32(2),
                Required(reader, 3),
                Required(reader, 4),
                Optional(reader, 5),
                Optional(reader, 6),
                Optional(reader, 7),
                Optional(reader, 8),
                Optional(reader, 9));
            rows[row.WorkflowId] = row;
        }

        return rows;
    }

    // The SQLite saga context stores DateTimeOffset as EF Core's packed binary form (so it can be ordered);
    // PostgreSQL returns timestamptz.
    static readonly DateTimeOffsetToBinaryConverter Packed = new();

    static DateTimeOffset Required(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(long)
            ? (DateTimeOffset)Packed.ConvertFromProvider(reader.GetInt64(ordinal))!
            : reader.GetFieldValue<DateTimeOffset>(ordinal);

    static DateTimeOffset? Optional(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Required(reader, ordinal);

    /// <summary>Fills push→Ready, the stage breakdown and transitions of <paramref name="result"/> from the rows of its runs.</summary>
    public static void Analyze(ScenarioResult result, IEnumerable<WorkflowRun> runs, IReadOnlyDictionary<Guid, SagaRow> rows)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(rows);
        var pushToReady = new List<double>();
        var roleSetupWait = new List<double>();
        var roleSetupRun = new List<double>();
        var assessmentWait = new List<double>();
        var assessmentRun = new List<double>();
        var readyCommit = new List<double>();
        var transitions = new List<double>();
        var ready = 0;
        foreach (var run in runs)
        {
            if (run.WorkflowId == Guid.Empty || !rows.TryGetValue(run.WorkflowId, out var row))
            {
                continue;
            }

            transitions.Add(row.Revision);
            if (row.CurrentState != nameof(OnboardingStateMachine.Ready))
            {
                continue;
            }

            ready++;
            pushToReady.Add((row.UpdatedAt - run.PushStartedAt).TotalMilliseconds);
            Add(roleSetupWait, run.PushStartedAt, row.RoleSetupStartedAt);
            Add(roleSetupRun, row.RoleSetupStartedAt, row.RoleSetupCompletedAt);
            Add(assessmentWait, row.RoleSetupCompletedAt, row.AssessmentStartedAt);
            Add(assessmentRun, row.AssessmentStartedAt, row.AssessmentCompletedAt);
            Add(readyCommit, row.AssessmentCompletedAt, row.UpdatedAt);
        }

        result.Ready = ready;
        result.PushToReadyMs = LatencySummary.From(pushToReady);
        result.Stages["push → role_setup started"] = LatencySummary.From(roleSetupWait);
        result.Stages["role_setup running"] = LatencySummary.From(roleSetupRun);
        result.Stages["role_setup done → assessment started"] = LatencySummary.From(assessmentWait);
        result.Stages["assessment running"] = LatencySummary.From(assessmentRun);
        result.Stages["assessment done → Ready committed"] = LatencySummary.From(readyCommit);
        if (transitions.Count > 0)
        {
            result.PerWorkflow ??= new PerWorkflowCost();
            result.PerWorkflow.Transitions = Math.Round(transitions.Average(), 2);
            result.PerWorkflow.TransitionsMax = transitions.Max();
        }
    }

    static void Add(List<double> list, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } f && to is { } t)
        {
            list.Add((t - f).TotalMilliseconds);
        }
    }
}
