using Microsoft.Extensions.Logging;

namespace Etter.ServiceDefaults.Logging;

public static class StepLogScope
{
    /// <summary>
    /// Tags every log line of a step's attempt with its workflow, company, step and attempt, so one workflow's
    /// lines can be found across services.
    /// </summary>
    public static IDisposable? BeginStepScope(this ILogger logger, Guid workflowId, string companyId, string step, int attempt)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return logger.BeginScope(new Dictionary<string, object>
        {
            ["workflow_id"] = workflowId,
            ["company_id"] = companyId,
            ["step"] = step,
            ["attempt"] = attempt,
        });
    }
}
