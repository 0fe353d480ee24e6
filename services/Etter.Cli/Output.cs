using System.Globalization;
using System.Text.Json;
using Etter.Api.Status;
using Etter.Contracts;

namespace Etter.Cli;

/// <summary>How the CLI prints statuses: human lines, or the API's JSON for scripts.</summary>
static class Output
{
    public static void WriteJson<T>(TextWriter writer, T value) =>
        writer.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(PipelineStatusMapper.JsonOptions) { WriteIndented = true }));

    public static void WriteSummary(TextWriter writer, PipelineStatusResponse status)
    {
        writer.WriteLine($"{Headline(status.Status)}");
        writer.WriteLine($"  workflow_id : {status.WorkflowId}");
        writer.WriteLine($"  company     : {status.CompanyId}");
        writer.WriteLine($"  role        : {status.RoleName}");
        writer.WriteLine($"  role_id     : {status.RoleId ?? "-"}");
        writer.WriteLine($"  status      : {status.Status}");
        if (status.FinalScore is { } score)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  final_score : {score:0.0}"));
        }

        if (status.Assessment is { } assessment)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  automation  : {assessment.AiAutomationPotentialScore:0.0}   augmentation: {assessment.AiAugmentationPotentialScore:0.0}   engine: {assessment.Engine}{(assessment.IsMock ? " (mock)" : "")}"));
        }

        writer.WriteLine("  steps:");
        foreach (var step in status.Progress.Steps)
        {
            var duration = step.DurationMs is { } ms ? $"{ms} ms" : "-";
            var detail = step.ErrorMessage is not null
                ? $"  error: {step.ErrorMessage} (recoverable: {(step.Recoverable == true ? "yes" : "no")})"
                : step.SkipReason is not null ? $"  reason: {step.SkipReason}" : "";
            writer.WriteLine($"    {step.Name,-14} {step.Status,-10} attempt {step.Attempt}  {duration}{detail}");
        }

        if (status.ErrorDetail is { } error)
        {
            writer.WriteLine($"  error       : [{error.Code}] {error.Message}");
            writer.WriteLine($"  recoverable : {(error.Recoverable ? "yes, a retry can help" : "no, fix the input")}");
        }
    }

    public static string Progress(PipelineStatusResponse status)
    {
        var running = status.Progress.Steps.FirstOrDefault(s => s.Status == StepStatuses.Running);
        var detail = running is not null ? $"{running.Name} running (attempt {running.Attempt})"
            : status.Status == OnboardingStatuses.Queued ? "waiting for a worker"
            : string.Join(", ", status.Progress.Steps.Select(s => $"{s.Name} {s.Status}"));
        return $"  [{status.Status}] {detail}";
    }

    static string Headline(string status) => status switch
    {
        OnboardingStatuses.Ready => "Ready: the role is onboarded and assessed.",
        OnboardingStatuses.Degraded => "Degraded: the role is set up, but no assessment ran.",
        OnboardingStatuses.Failed => "Failed.",
        OnboardingStatuses.ValidationError => "Rejected: the request is invalid.",
        _ => $"In progress ({status}).",
    };

    public static int ExitCodeFor(string status) => status switch
    {
        OnboardingStatuses.Ready => ExitCodes.Ready,
        OnboardingStatuses.Degraded => ExitCodes.Degraded,
        _ => ExitCodes.Failed,
    };
}
